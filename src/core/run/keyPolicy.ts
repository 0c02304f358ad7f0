// Who may receive the user's API key. A file in the working tree (value-lens.json, .valuelensrc.json, a
// study file) can come from a cloned repository, so an endpoint named only there gets no key until the
// user confirms its origin; an endpoint the user typed (flag), exported (environment), listed in their own
// config outside the project, or the built-in default is theirs. The same rule as the extension, where
// endpoints come from user settings only and a key is kept per origin (src/core/security/endpointSettings.ts, secretNames.ts).
//
// Loopback is NOT exempt: a server on 127.0.0.1 can be any local process (a repository's dev server, a
// container port, an SSH tunnel), and a keyless local server works without the key anyway, so the
// exemption would protect nothing a user needs and expose the key to whatever listens there.

/** Where the endpoint of a run came from. */
export type EndpointSource = 'flag' | 'env' | 'user-config' | 'default' | 'project-file' | 'study-file';

export interface KeyPolicyContext {
  source: EndpointSource;
  /** Origins the user confirmed (flag, VALUE_LENS_TRUST_ENDPOINT, user config); URLs are reduced to their origin. */
  trusted: readonly string[];
}

export type KeyDecision =
  | { allowed: true; origin: string; because: 'user-chosen' | 'confirmed' }
  | { allowed: false; origin: string | undefined; reason: string };

/** Sources whose endpoints the user chose themselves. */
const USER_SOURCES: ReadonlySet<EndpointSource> = new Set(['flag', 'env', 'user-config', 'default']);

/** scheme://host[:port] of an http(s) URL (default ports dropped, host lower-cased), else undefined. */
export function normaliseOrigin(value: string): string | undefined {
  try {
    const url = new URL(value.trim());
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.origin : undefined;
  } catch {
    return undefined;
  }
}

/** A list of origins as users write it (comma- or space-separated); entries that are not http(s) URLs are returned apart. */
export function parseTrustList(text: string): { origins: string[]; invalid: string[] } {
  const origins: string[] = [];
  const invalid: string[] = [];
  for (const entry of text.split(/[\s,]+/).filter(Boolean)) {
    const origin = normaliseOrigin(entry);
    if (origin) {
      if (!origins.includes(origin)) origins.push(origin);
    } else invalid.push(entry);
  }
  return { origins, invalid };
}

/** Whether the API key may be sent to `endpoint`. Pure: the caller gathers the source and the confirmations. */
export function mayReceiveKey(endpoint: string, context: KeyPolicyContext): KeyDecision {
  const origin = normaliseOrigin(endpoint);
  if (!origin) return { allowed: false, origin: undefined, reason: `"${endpoint}" is not an http(s) URL` };
  if (USER_SOURCES.has(context.source)) return { allowed: true, origin, because: 'user-chosen' };
  const trusted = context.trusted.map(normaliseOrigin).filter((o): o is string => o !== undefined);
  if (trusted.includes(origin)) return { allowed: true, origin, because: 'confirmed' };
  const where = context.source === 'study-file' ? 'a study file' : 'a config file in the project';
  return { allowed: false, origin, reason: `the endpoint ${origin} comes only from ${where}, which anyone could have written` };
}
