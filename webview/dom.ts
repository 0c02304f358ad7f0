// Tiny DOM helpers. Text always goes in through textContent: item titles, model names and human-data
// labels come from other people's files and model output, so nothing here ever parses HTML.

export function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Record<string, string> = {},
  text?: string,
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) node.setAttribute(name, value);
  if (text !== undefined) node.textContent = text;
  return node;
}

/** Custom elements (vscode-elements) by tag name, same rules. */
export function custom(tag: string, attrs: Record<string, string> = {}, text?: string): HTMLElement {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) node.setAttribute(name, value);
  if (text !== undefined) node.textContent = text;
  return node;
}

export function clear(node: Element): void {
  while (node.firstChild) node.removeChild(node.firstChild);
}

/** Triggers a download of `href` under `filename` (report mode: no host to save files). */
export function download(href: string, filename: string): void {
  const link = el('a', { href, download: filename });
  link.hidden = true;
  document.body.appendChild(link);
  link.click();
  link.remove();
}
