// Relative link targets of a Markdown text, for the packaging tests: `[x](path)`, `![x](path "title")`,
// `<img src="path">`, and reference definitions `[x]: path` (at most three spaces of indent, as in
// CommonMark). Code spans and fences are not links; absolute URLs and in-page anchors are not relative.
export function relativeLinks(markdown: string): string[] {
  const text = markdown.replace(/```[\s\S]*?```/g, '').replace(/`[^`\n]*`/g, '');
  const targets = [
    ...[...text.matchAll(/\]\(\s*<?([^)\s>]+)>?(?:\s+["'][^)]*["'])?\s*\)/g)].map((m) => m[1]!),
    ...[...text.matchAll(/^ {0,3}\[[^\]]+\]:[ \t]*<?(\S+?)>?[ \t]*$/gm)].map((m) => m[1]!),
    ...[...text.matchAll(/<img\b[^>]*\bsrc=["']([^"']+)["']/gi)].map((m) => m[1]!),
  ];
  return targets.filter((t) => !/^[a-z][a-z0-9+.-]*:/i.test(t) && !t.startsWith('#') && !t.startsWith('//'));
}

/** Root files vsce renames in the package: a README link to the original name breaks on case-sensitive systems. */
export const VSCE_RENAMES: Record<string, string> = { 'README.md': 'readme.md', 'CHANGELOG.md': 'changelog.md', LICENSE: 'LICENSE.txt' };
