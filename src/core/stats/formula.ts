// Parser for the subset of lme4's formula language that Value Lens fits (see docs/fit.md):
//
//   response ~ fixed terms + (random | group) ...
//
// Fixed terms: variables, interactions `a:b`, crossings `a*b` (= a + b + a:b), parentheses for grouping
// `(a + b):c`, and `0 +`, `+ 0`, `- 1`, `+ 1` for the intercept. Random terms: `(lhs | g)` where lhs is itself
// a fixed-term expression (`1`, `x`, `1 + x`, `0 + x`). Everything else — nested `g/h`, `||`, `^`, `%in%`,
// functions such as `log(x)`, `offset()`, `I()`, `.`, removing terms with `-` — is refused with an error
// that names the part, so that a formula is never quietly fitted as a different model.
//
// Term order and labels follow R's terms.formula: duplicates dropped, terms sorted by their order (number
// of variables) keeping first-appearance order within an order, and the variables of a term written in the
// order in which the variables first appear in the formula (so `y ~ a + b:a` has the term `a:b`).

export class FormulaError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FormulaError';
  }
}

/** A model term: a set of variable names, in the formula's variable order. */
export type Term = string[];

export interface TermList {
  /** Whether the intercept is in the model (R's default, unless `0 +` or `- 1`). */
  intercept: boolean;
  /** Terms in R's order (by degree, then first appearance); variables within a term in `variables` order. */
  terms: Term[];
  /** Variables in order of first appearance (the response excluded). */
  variables: string[];
}

export interface RandomTerm {
  /** The model for the random effects of one grouping factor, e.g. `1 + x` in `(1 + x | g)`. */
  effects: TermList;
  /** The grouping factor's column. */
  group: string;
  /** The term as written, for messages: `(1 + x | g)`. */
  source: string;
}

export interface ParsedFormula {
  /** The formula as given, whitespace normalised. */
  text: string;
  response: string;
  fixed: TermList;
  random: RandomTerm[];
}

type TokenKind = 'name' | 'number' | 'op' | 'end';
interface Token {
  kind: TokenKind;
  value: string;
  pos: number;
}

const NAME_START = /[A-Za-z._]/;
const NAME_CHAR = /[A-Za-z0-9._]/;

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const ch = text[i];
    if (/\s/.test(ch)) {
      i++;
      continue;
    }
    const start = i;
    if (ch === '`') {
      const end = text.indexOf('`', i + 1);
      if (end < 0) throw new FormulaError(`unclosed backtick at position ${i + 1}`);
      const name = text.slice(i + 1, end);
      if (!name) throw new FormulaError(`empty \`\` name at position ${i + 1}`);
      tokens.push({ kind: 'name', value: name, pos: start });
      i = end + 1;
      continue;
    }
    if (/[0-9]/.test(ch) || (ch === '.' && /[0-9]/.test(text[i + 1] ?? ''))) {
      while (i < text.length && /[0-9.eE]/.test(text[i])) i++;
      tokens.push({ kind: 'number', value: text.slice(start, i), pos: start });
      continue;
    }
    if (NAME_START.test(ch)) {
      while (i < text.length && NAME_CHAR.test(text[i])) i++;
      tokens.push({ kind: 'name', value: text.slice(start, i), pos: start });
      continue;
    }
    if (ch === '|' && text[i + 1] === '|') {
      tokens.push({ kind: 'op', value: '||', pos: start });
      i += 2;
      continue;
    }
    if (ch === '%') {
      const end = text.indexOf('%', i + 1);
      const op = end < 0 ? '%' : text.slice(i, end + 1);
      throw new FormulaError(`the operator ${op} is not supported`);
    }
    if ('~+-*:|()/^,'.includes(ch)) {
      tokens.push({ kind: 'op', value: ch, pos: start });
      i++;
      continue;
    }
    throw new FormulaError(`unexpected character "${ch}" at position ${i + 1}`);
  }
  tokens.push({ kind: 'end', value: '', pos: text.length });
  return tokens;
}

/** What a sub-expression stands for while parsing: a set of terms, an intercept marker or a random term. */
type Node = { kind: 'terms'; terms: Term[] } | { kind: 'intercept'; present: boolean } | { kind: 'random'; term: RandomTerm };

const sameTerm = (a: Term, b: Term): boolean => a.length === b.length && a.every((v) => b.includes(v));

function union(a: Term, b: Term): Term {
  const out = a.slice();
  for (const v of b) if (!out.includes(v)) out.push(v);
  return out;
}

function addTerms(into: Term[], terms: Term[]): void {
  for (const t of terms) if (!into.some((u) => sameTerm(u, t))) into.push(t);
}

class Parser {
  private i = 0;
  /** Variables in order of first appearance, per context (the fixed part, or one random term's lhs). */
  private order: string[] = [];

  constructor(
    private readonly tokens: Token[],
    private readonly text: string,
  ) {}

  private peek(): Token {
    return this.tokens[this.i];
  }

  private next(): Token {
    return this.tokens[this.i++];
  }

  private expect(value: string): Token {
    const t = this.next();
    if (t.value !== value || t.kind === 'end') {
      throw new FormulaError(`expected "${value}" at position ${t.pos + 1}, found ${t.kind === 'end' ? 'the end' : `"${t.value}"`}`);
    }
    return t;
  }

  parse(): ParsedFormula {
    const first = this.peek();
    if (first.kind === 'op' && first.value === '~')
      throw new FormulaError('the formula needs a response before "~" (e.g. y ~ x + (1 | g))');
    const response = this.next();
    if (response.kind !== 'name') throw new FormulaError(`the response must be a column name, found "${response.value}"`);
    if (this.peek().value === '(')
      throw new FormulaError(`functions are not supported: ${response.value}(…) (transform the column in the data instead)`);
    if (this.peek().value !== '~') {
      throw new FormulaError(`only a single column can be the response; found "${this.peek().value}" after "${response.value}"`);
    }
    this.next();
    this.order = [response.value];
    const { list, random } = this.sum(true);
    if (this.peek().kind !== 'end') {
      const t = this.peek();
      throw new FormulaError(`unexpected "${t.value}" at position ${t.pos + 1}`);
    }
    if (list.variables.includes(response.value))
      throw new FormulaError(`the response ${response.value} also appears on the right-hand side`);
    return { text: this.text.replace(/\s+/g, ' ').trim(), response: response.value, fixed: list, random };
  }

  /** sum := ['+'|'-'] product (('+'|'-') product)* — the top level of a (sub)formula. */
  private sum(topLevel: boolean): { list: TermList; random: RandomTerm[] } {
    let intercept = true;
    const terms: Term[] = [];
    const random: RandomTerm[] = [];
    let sign: '+' | '-' = '+';
    if (this.peek().value === '+' || this.peek().value === '-') sign = this.next().value as '+' | '-';
    for (;;) {
      const at = this.peek();
      if (at.kind === 'end' || at.value === ')' || at.value === '|') {
        throw new FormulaError(`a term is missing at position ${at.pos + 1}`);
      }
      const node = this.product(topLevel);
      if (sign === '-') {
        if (node.kind === 'intercept') intercept = !node.present;
        else throw new FormulaError(`removing terms with "-" is not supported (only "- 1"); found "- ${this.slice(at)}"`);
      } else if (node.kind === 'intercept') intercept = node.present;
      else if (node.kind === 'random') random.push(node.term);
      else addTerms(terms, node.terms);
      const op = this.peek();
      if (op.value === '+' || op.value === '-') {
        sign = this.next().value as '+' | '-';
        continue;
      }
      break;
    }
    return { list: this.finish(intercept, terms), random };
  }

  /** Text of the tokens from `from` up to the current one, for messages. */
  private slice(from: Token): string {
    return this.text.slice(from.pos, this.peek().pos).trim();
  }

  private finish(intercept: boolean, terms: Term[]): TermList {
    const variables = this.order.filter((v) => terms.some((t) => t.includes(v)));
    const ordered = terms
      .map((t, index) => ({ t: variables.filter((v) => t.includes(v)), index }))
      .sort((a, b) => a.t.length - b.t.length || a.index - b.index)
      .map((x) => x.t);
    return { intercept, terms: ordered, variables };
  }

  /** product := interaction ('*' interaction)*, a*b = a + b + a:b. */
  private product(topLevel: boolean): Node {
    let left = this.interaction(topLevel);
    while (this.peek().value === '*') {
      const opTok = this.next();
      const right = this.interaction(topLevel);
      const a = this.termsOf(left, '*', opTok);
      const b = this.termsOf(right, '*', opTok);
      const out: Term[] = [];
      addTerms(out, a);
      addTerms(out, b);
      for (const x of a) for (const y of b) addTerms(out, [union(x, y)]);
      left = { kind: 'terms', terms: out };
    }
    return left;
  }

  /** interaction := atom (':' atom)*. */
  private interaction(topLevel: boolean): Node {
    let left = this.atom(topLevel);
    while (this.peek().value === ':') {
      const opTok = this.next();
      const right = this.atom(topLevel);
      const a = this.termsOf(left, ':', opTok);
      const b = this.termsOf(right, ':', opTok);
      const out: Term[] = [];
      for (const x of a) for (const y of b) addTerms(out, [union(x, y)]);
      left = { kind: 'terms', terms: out };
    }
    const op = this.peek();
    if (op.value === '/')
      throw new FormulaError(`nesting with "/" is not supported (at position ${op.pos + 1}); write the terms out, e.g. a + a:b`);
    if (op.value === '^')
      throw new FormulaError(`the "^" operator is not supported (at position ${op.pos + 1}); write the interactions out`);
    if (op.value === '||') throw new FormulaError(`"||" (uncorrelated random effects) is not supported (at position ${op.pos + 1})`);
    if (op.value === '~') throw new FormulaError(`a formula has only one "~" (position ${op.pos + 1})`);
    if (op.value === ',') throw new FormulaError(`unexpected "," at position ${op.pos + 1}`);
    return left;
  }

  private termsOf(node: Node, op: string, at: Token): Term[] {
    if (node.kind === 'terms') return node.terms;
    if (node.kind === 'random') throw new FormulaError(`a random-effects term cannot be combined with "${op}" (position ${at.pos + 1})`);
    throw new FormulaError(`the intercept (0/1) cannot be combined with "${op}" (position ${at.pos + 1})`);
  }

  private atom(topLevel: boolean): Node {
    const t = this.next();
    if (t.kind === 'name') {
      if (this.peek().value === '(') {
        throw new FormulaError(
          t.value === 'offset'
            ? 'offsets are not supported: offset(…)'
            : `functions are not supported: ${t.value}(…) (compute the transformed column in the data instead)`,
        );
      }
      if (t.value === '.') throw new FormulaError('"." (all other columns) is not supported; name the columns');
      if (!this.order.includes(t.value)) this.order.push(t.value);
      return { kind: 'terms', terms: [[t.value]] };
    }
    if (t.kind === 'number') {
      if (t.value === '0' || t.value === '1') return { kind: 'intercept', present: t.value === '1' };
      throw new FormulaError(`only 0 or 1 may appear as a number in a formula, found ${t.value} at position ${t.pos + 1}`);
    }
    if (t.value === '(') return this.parenthesised(t, topLevel);
    if (t.kind === 'end') throw new FormulaError('the formula ends where a term was expected');
    throw new FormulaError(`unexpected "${t.value}" at position ${t.pos + 1}`);
  }

  /** `( expr )` groups fixed terms; `( lhs | group )` is a random-effects term (top level only). */
  private parenthesised(open: Token, topLevel: boolean): Node {
    // Look ahead for a '|' at this nesting depth to tell a random term from a grouped expression.
    let depth = 0;
    let bar = -1;
    for (let k = this.i; k < this.tokens.length; k++) {
      const v = this.tokens[k].value;
      if (this.tokens[k].kind === 'end') break;
      if (v === '(') depth++;
      else if (v === ')') {
        if (depth === 0) break;
        depth--;
      } else if (depth === 0 && v === '||')
        throw new FormulaError(`"||" (uncorrelated random effects) is not supported: ${this.textFrom(open)}`);
      else if (depth === 0 && v === '|') {
        bar = k;
        break;
      }
    }
    if (bar < 0) {
      const { list, random } = this.sum(false);
      this.expect(')');
      if (random.length) throw new FormulaError('random-effects terms cannot be nested inside parentheses');
      if (!list.intercept || list.terms.length === 0)
        throw new FormulaError(`the intercept (0/1) cannot appear inside parentheses: ${this.textFrom(open)}`);
      return { kind: 'terms', terms: list.terms };
    }
    if (!topLevel) throw new FormulaError(`a random-effects term must be a top-level term: ${this.textFrom(open)}`);
    const outer = this.order;
    this.order = [];
    const { list } = this.sum(false);
    this.order = outer;
    this.expect('|');
    const g = this.next();
    if (g.kind !== 'name') throw new FormulaError(`the grouping factor after "|" must be a column name: ${this.textFrom(open)}`);
    if (this.peek().value === '(') throw new FormulaError(`functions are not supported: ${g.value}(…) in ${this.textFrom(open)}`);
    const after = this.peek();
    if (after.value === '/')
      throw new FormulaError(
        `nested grouping factors ("/") are not supported: ${this.textFrom(open)}; add one term per level, e.g. (1 | g) + (1 | g_h) with a combined column`,
      );
    if (after.value === ':')
      throw new FormulaError(`interactions of grouping factors are not supported: ${this.textFrom(open)}; make a combined column instead`);
    if (after.value !== ')') throw new FormulaError(`expected ")" after the grouping factor ${g.value}: ${this.textFrom(open)}`);
    this.next();
    if (!list.intercept && list.terms.length === 0)
      throw new FormulaError(`a random-effects term needs at least one effect: ${this.textFrom(open)}`);
    return { kind: 'random', term: { effects: list, group: g.value, source: this.textFrom(open) } };
  }

  /** The source text of the parenthesised term opened at `open`, up to its matching ")" (for messages). */
  private textFrom(open: Token): string {
    let k = this.tokens.indexOf(open);
    let depth = 0;
    for (; k < this.tokens.length; k++) {
      const v = this.tokens[k].value;
      if (this.tokens[k].kind === 'end') break;
      if (v === '(') depth++;
      else if (v === ')' && --depth === 0) break;
    }
    const endTok = this.tokens[Math.min(k, this.tokens.length - 1)];
    const end = endTok.kind === 'end' ? undefined : endTok.pos + 1;
    return this.text.slice(open.pos, end).replace(/\s+/g, ' ').trim();
  }
}

/** Parses an lme4 formula; throws FormulaError naming the unsupported or malformed part. */
export function parseFormula(text: string): ParsedFormula {
  if (typeof text !== 'string' || !text.trim()) throw new FormulaError('the formula is empty');
  if (!text.includes('~')) throw new FormulaError('a formula needs "~", e.g. y ~ x + (1 | g)');
  const formula = new Parser(tokenize(text), text).parse();
  if (!formula.fixed.intercept && formula.fixed.terms.length === 0) {
    throw new FormulaError('the model has no fixed effects ("0" and no other term); models without fixed effects are not supported');
  }
  return formula;
}

/** R's label of a term: its variables joined with ':'. */
export const termLabel = (term: Term): string => term.join(':');
