// Whether a fake's answer has every field a documented example has, recursively and with the same JSON
// types. A null in the example means only "the field is there" (its type is not documented by the example).

type Kind = 'null' | 'array' | 'object' | 'string' | 'number' | 'boolean';

function kindOf(value: unknown): Kind {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value as Kind;
}

export interface ShapeOptions {
  /** Paths of objects whose keys are data, not field names (token → logprob maps, model_info): only value types are compared. */
  freeform?: string[];
  /** Paths of objects whose content is data of any shape (model_info): only "an object" is compared. */
  opaque?: string[];
  /** Paths where the fake may send null although the example has a value (an optional object left empty). */
  nullable?: string[];
}

/** Every difference, as "path: what"; empty when the actual answer has the example's shape. */
export function shapeDiff(example: unknown, actual: unknown, options: ShapeOptions = {}, path = ''): string[] {
  const at = path || '(root)';
  if (example === null) return [];
  const want = kindOf(example);
  const got = kindOf(actual);
  if (got === 'null' && options.nullable?.includes(path)) return [];
  if (want !== got) return [`${at}: ${got} where the example has ${want}`];
  if (want === 'array') {
    const items = example as unknown[];
    const template = items.find((v) => v !== null);
    const list = actual as unknown[];
    if (template === undefined) return [];
    if (list.length === 0) return [`${at}: empty where the example has ${items.length} entries`];
    const nullAllowed = items.includes(null);
    return list.flatMap((v) => (v === null && nullAllowed ? [] : shapeDiff(template, v, options, `${path}[]`)));
  }
  if (want === 'object' && options.opaque?.includes(path)) return [];
  if (want === 'object') {
    const doc = example as Record<string, unknown>;
    const obj = actual as Record<string, unknown>;
    if (options.freeform?.includes(path)) {
      const template = Object.values(doc).find((v) => v !== null);
      if (template === undefined) return [];
      return Object.values(obj).flatMap((v) => shapeDiff(template, v, options, `${path}.*`));
    }
    return Object.keys(doc).flatMap((key) => {
      const child = path ? `${path}.${key}` : key;
      return key in obj ? shapeDiff(doc[key], obj[key], options, child) : [`${child}: missing`];
    });
  }
  return [];
}
