// The panel's HTML, built by a pure function so its CSP can be unit-tested. One script, loaded by URL and
// allowed by a nonce that is fresh on every render; no inline script or style; no remote sources.
import { randomBytes } from 'node:crypto';

export interface PanelHtmlInput {
  /** `webview.cspSource`: the origin the webview serves local resources from. */
  cspSource: string;
  nonce: string;
  scriptUri: string;
  styleUri: string;
  codiconUri?: string;
  /** Page title (escaped). */
  title?: string;
  /**
   * Report mode (the CLI's HTML report): the report JSON, written HTML-escaped into #vl-root[data-report];
   * the webview then renders it read-only without a host.
   */
  reportJson?: string;
  /**
   * The webview's texts in the display language: vscode.l10n.bundle as JSON, written HTML-escaped into
   * #vl-root[data-l10n] (webview/l10n.ts); absent in English and in the CLI's report.
   */
  uiStringsJson?: string;
  /** The display language (`vscode.env.language`) for `<html lang>`; English by default. */
  lang?: string;
}

/** 128 bits from the OS CSPRNG, hex-encoded (a nonce must be unguessable, so never Math.random). */
export function createNonce(): string {
  return randomBytes(16).toString('hex');
}

export function escapeAttribute(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/'/g, '&#39;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

export function buildCsp(cspSource: string, nonce: string): string {
  return [
    "default-src 'none'",
    `script-src 'nonce-${nonce}'`,
    `style-src ${cspSource}`,
    `img-src ${cspSource} data:`,
    `font-src ${cspSource}`,
  ].join('; ');
}

export function renderPanelHtml(input: PanelHtmlInput): string {
  if (!/^[A-Za-z0-9+/=_-]{16,}$/.test(input.nonce)) throw new Error('renderPanelHtml: nonce must be at least 16 base64/hex characters');
  // cspSource and nonce go into the policy unescaped (checked here): a ';' could add directives and a '"' or
  // '<' could leave the meta attribute. Single quotes must pass: VS Code's web host sends "'self' https://…".
  if (/[;"<>\r\n]/.test(input.cspSource)) throw new Error('renderPanelHtml: unexpected characters in cspSource');
  const a = escapeAttribute;
  const codicon = input.codiconUri
    ? `\n    <link rel="stylesheet" id="vscode-codicon-stylesheet" href="${a(input.codiconUri)}" nonce="${a(input.nonce)}">`
    : '';
  return `<!DOCTYPE html>
<html lang="${/^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$/.test(input.lang ?? '') ? input.lang : 'en'}">
  <head>
    <meta http-equiv="Content-Security-Policy" content="${buildCsp(input.cspSource, input.nonce)}">
    <meta charset="UTF-8">
    <meta name="viewport" content="width=device-width, initial-scale=1.0">
    <link rel="stylesheet" href="${a(input.styleUri)}">${codicon}
    <title>${a(input.title ?? 'Value Lens: Alignment')}</title>
  </head>
  <body>
    <main id="vl-root"${input.reportJson === undefined ? '' : ` data-report="${a(input.reportJson)}"`}${input.uiStringsJson === undefined ? '' : ` data-l10n="${a(input.uiStringsJson)}"`}></main>
    <script nonce="${a(input.nonce)}" src="${a(input.scriptUri)}"></script>
  </body>
</html>
`;
}
