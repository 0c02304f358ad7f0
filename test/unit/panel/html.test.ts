import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildCsp, createNonce, renderPanelHtml } from '../../../src/panel/html';

const cspSource = 'https://file+.vscode-resource.vscode-cdn.net';

function render(nonce = createNonce(), extra: Partial<Parameters<typeof renderPanelHtml>[0]> = {}) {
  return renderPanelHtml({
    cspSource,
    nonce,
    scriptUri: 'https://x.vscode-cdn.net/ext/dist/webview.js',
    styleUri: 'https://x.vscode-cdn.net/ext/media/panel.css',
    ...extra,
  });
}

function csp(html: string): string {
  const match = /<meta http-equiv="Content-Security-Policy" content="([^"]*)">/.exec(html);
  assert.ok(match, 'CSP meta present');
  return match[1].replace(/&#39;/g, "'");
}

test('CSP is strict: default none, scripts by nonce only, no unsafe-*, no remote images', () => {
  const nonce = createNonce();
  const policy = csp(render(nonce));
  assert.equal(policy, buildCsp(cspSource, nonce));
  const directives = Object.fromEntries(
    policy
      .split(';')
      .map((d) => d.trim().split(/\s+/))
      .map(([k, ...v]) => [k, v]),
  );
  assert.deepEqual(directives['default-src'], ["'none'"]);
  assert.deepEqual(directives['script-src'], [`'nonce-${nonce}'`]);
  assert.deepEqual(directives['style-src'], [cspSource]);
  assert.deepEqual(directives['img-src'], [cspSource, 'data:']);
  assert.deepEqual(directives['font-src'], [cspSource]);
  assert.doesNotMatch(policy, /unsafe-|\s\*|\shttps?:(\s|;|$)/);
});

test('the CSP meta comes first in <head>', () => {
  const html = render();
  assert.match(html, /<head>\s*<meta http-equiv="Content-Security-Policy"/);
});

test('exactly one script: external, carrying the nonce; no inline script or handler', () => {
  const nonce = createNonce();
  const html = render(nonce);
  const scripts = [...html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/g)];
  assert.equal(scripts.length, 1);
  assert.match(scripts[0][1], new RegExp(`nonce="${nonce}"`));
  assert.match(scripts[0][1], /src="https:\/\/x\.vscode-cdn\.net\/ext\/dist\/webview\.js"/);
  assert.equal(scripts[0][2].trim(), '', 'no inline code');
  assert.doesNotMatch(html, /\son[a-z]+=/i, 'no inline event handlers');
  assert.doesNotMatch(html, /style=/i, 'no inline styles');
});

test('a fresh, unguessable nonce on every render', () => {
  const nonces = new Set<string>();
  for (let i = 0; i < 200; i++) {
    const html = render();
    const nonce = /script-src 'nonce-([^']+)'/.exec(csp(html))?.[1];
    assert.ok(nonce && /^[0-9a-f]{32}$/.test(nonce));
    assert.ok(html.includes(`nonce="${nonce}"`));
    nonces.add(nonce);
  }
  assert.equal(nonces.size, 200);
});

test('rejects weak nonces and cspSource values that could inject directives', () => {
  assert.throws(() => render('abc'));
  assert.throws(() => renderPanelHtml({ cspSource: "x; script-src 'unsafe-inline'", nonce: createNonce(), scriptUri: 'a', styleUri: 'b' }));
  assert.throws(() => renderPanelHtml({ cspSource: 'x" onload="alert(1)', nonce: createNonce(), scriptUri: 'a', styleUri: 'b' }));
});

test("accepts the web host's cspSource, which carries the 'self' keyword", () => {
  const cspSource = "'self' https://*.vscode-cdn.net";
  const html = renderPanelHtml({ cspSource, nonce: createNonce(), scriptUri: 'a', styleUri: 'b' });
  assert.match(html, /style-src 'self' https:\/\/\*\.vscode-cdn\.net;/);
});

test('report JSON goes into an escaped data-report attribute', () => {
  const report = JSON.stringify({ title: '"><script>alert(1)</script>' });
  const html = render(undefined, { reportJson: report });
  const attr = /data-report="([^"]*)"/.exec(html)?.[1];
  assert.ok(attr);
  assert.doesNotMatch(attr, /[<>"]/);
  const decoded = attr
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
  assert.equal(decoded, report);
  assert.equal([...html.matchAll(/<script/g)].length, 1);
});
