// The self-contained HTML report: the panel's webview bundle and stylesheet inlined, the report JSON in
// #vl-root[data-report] and a study's analysis in #vl-root[data-study] (HTML-escaped, so hostile titles stay
// text), and a CSP that allows only the inline script and style carrying this page's nonce — no network
// access, nothing to fetch when opened.

import { randomBytes } from 'node:crypto';

export interface ReportHtmlInput {
  /** A round-one AnalysisReport as JSON (the five workspace charts). */
  reportJson?: string;
  /** A StudyAnalysis as JSON (the study views). At least one of the two is needed for a useful page. */
  studyJson?: string;
  script: string;
  css: string;
  title: string;
  /** Fresh per file; 128 bits from the OS CSPRNG when omitted. */
  nonce?: string;
}

export function escapeHtml(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/'/g, '&#39;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/**
 * Makes text safe inside an inline <script> or <style> element: the HTML parser ends those at `</script`
 * or `</style` whatever the JavaScript or CSS context, so the slash is escaped (`<\/` means `</` in JS
 * strings, regexes and comments alike), and `<!--` cannot open a comment-like parsing state.
 */
export function escapeRawText(text: string, element: 'script' | 'style'): string {
  const closing = new RegExp(`</(${element})`, 'gi');
  return text.replace(closing, '<\\/$1').replace(/<!--/g, '<\\!--');
}

export function reportCsp(nonce: string): string {
  return [
    "default-src 'none'",
    `script-src 'nonce-${nonce}'`,
    `style-src 'nonce-${nonce}'`,
    'img-src data:',
    'font-src data:',
    "base-uri 'none'",
    "form-action 'none'",
  ].join('; ');
}

function dataAttribute(name: string, json: string | undefined): string {
  return json === undefined ? '' : ` ${name}="${escapeHtml(json)}"`;
}

export function renderReportHtml(input: ReportHtmlInput): string {
  const nonce = input.nonce ?? randomBytes(16).toString('base64');
  if (!/^[A-Za-z0-9+/=]{16,}$/.test(nonce)) throw new Error('renderReportHtml: a nonce must be ≥16 base64 characters');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${escapeHtml(reportCsp(nonce))}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<meta name="generator" content="value-lens">
<title>${escapeHtml(input.title)}</title>
<style nonce="${nonce}">
${escapeRawText(input.css, 'style')}
</style>
</head>
<body>
<main id="vl-root"${dataAttribute('data-report', input.reportJson)}${dataAttribute('data-study', input.studyJson)}></main>
<script nonce="${nonce}">
${escapeRawText(input.script, 'script')}
</script>
</body>
</html>
`;
}
