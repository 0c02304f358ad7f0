// Loads the checked-in TextMate grammars with the same engine VS Code uses (vscode-textmate on the
// oniguruma WASM build) and turns a document into plain token lists for assertions and snapshots.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import * as oniguruma from 'vscode-oniguruma';
import * as textmate from 'vscode-textmate';

// Tests run from the repository root (test/run-unit.mjs).
export const repoRoot = process.cwd();
const require = createRequire(join(repoRoot, 'package.json'));

export interface Token {
  line: number;
  start: number;
  end: number;
  text: string;
  scopes: string[];
}

const grammarFiles: Record<string, string> = {
  'source.wvs': join(repoRoot, 'syntaxes', 'wvs.tmLanguage.json'),
  'source.wvt': join(repoRoot, 'syntaxes', 'wvt.tmLanguage.json'),
};

let registry: textmate.Registry | undefined;

function getRegistry(): textmate.Registry {
  if (registry) return registry;
  const wasm = readFileSync(require.resolve('vscode-oniguruma/release/onig.wasm'));
  const onigLib = oniguruma.loadWASM(wasm.buffer.slice(wasm.byteOffset, wasm.byteOffset + wasm.byteLength)).then(() => ({
    createOnigScanner: (patterns: string[]) => new oniguruma.OnigScanner(patterns),
    createOnigString: (s: string) => new oniguruma.OnigString(s),
  }));
  registry = new textmate.Registry({
    onigLib,
    loadGrammar: async (scopeName) => {
      const file = grammarFiles[scopeName];
      if (!file) return null;
      return textmate.parseRawGrammar(readFileSync(file, 'utf8'), file);
    },
  });
  return registry;
}

/** Tokenizes `text` line by line with the grammar `scopeName`, carrying the rule stack across lines. */
export async function tokenize(scopeName: 'source.wvs' | 'source.wvt', text: string): Promise<Token[]> {
  const grammar = await getRegistry().loadGrammar(scopeName);
  if (!grammar) throw new Error(`grammar ${scopeName} not found`);
  const tokens: Token[] = [];
  let stack = textmate.INITIAL;
  const lines = text.split(/\r?\n/);
  lines.forEach((lineText, line) => {
    const result = grammar.tokenizeLine(lineText, stack);
    for (const t of result.tokens) {
      const end = Math.min(t.endIndex, lineText.length);
      if (end <= t.startIndex) continue;
      tokens.push({ line, start: t.startIndex, end, text: lineText.slice(t.startIndex, end), scopes: t.scopes });
    }
    stack = result.ruleStack;
  });
  return tokens;
}

/** A stable, readable text form of the tokens: one line per token, the root scope left out. */
export function snapshotText(tokens: Token[]): string {
  return (
    tokens
      .filter((t) => t.text.trim() !== '')
      .map((t) => `${t.line + 1}:${t.start} ${JSON.stringify(t.text)} ${t.scopes.slice(1).join(' ') || '-'}`)
      .join('\n') + '\n'
  );
}

/** The innermost scopes of the first token whose text equals `text` (optionally on a given 0-based line). */
export function scopesOf(tokens: Token[], text: string, line?: number): string[] | undefined {
  return tokens.find((t) => t.text === text && (line === undefined || t.line === line))?.scopes;
}
