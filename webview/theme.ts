// Chart colours from the VS Code theme. A canvas cannot use var(--…), so the values are resolved with
// getComputedStyle and re-read whenever VS Code switches theme (it changes body's class and
// data-vscode-theme-kind). Outside VS Code the variables are absent and the fallbacks apply.

export interface Theme {
  foreground: string;
  muted: string;
  background: string;
  grid: string;
  fontFamily: string;
  palette: string[];
}

const PALETTE_VARS: [string, string][] = [
  ['--vscode-charts-blue', '#3794ff'],
  ['--vscode-charts-orange', '#d18616'],
  ['--vscode-charts-green', '#89d185'],
  ['--vscode-charts-purple', '#b180d7'],
  ['--vscode-charts-red', '#f14c4c'],
  ['--vscode-charts-yellow', '#cca700'],
];

export function readTheme(root: Element = document.body): Theme {
  const style = getComputedStyle(root);
  const get = (name: string, fallback: string) => style.getPropertyValue(name).trim() || fallback;
  return {
    foreground: get('--vscode-charts-foreground', get('--vscode-foreground', '#333333')),
    muted: get('--vscode-descriptionForeground', '#717171'),
    background: get('--vscode-editor-background', '#ffffff'),
    grid: get('--vscode-charts-lines', 'rgba(128, 128, 128, 0.35)'),
    fontFamily: get('--vscode-font-family', 'system-ui, sans-serif'),
    palette: PALETTE_VARS.map(([name, fallback]) => get(name, fallback)),
  };
}

/** Calls `onChange` after a theme switch; returns a function that stops watching. */
export function watchTheme(onChange: () => void): () => void {
  // Coalesce: a theme switch changes several attributes at once; re-colour once per frame.
  let pending = false;
  const observer = new MutationObserver(() => {
    if (pending) return;
    pending = true;
    requestAnimationFrame(() => {
      pending = false;
      onChange();
    });
  });
  observer.observe(document.body, { attributes: true, attributeFilter: ['class', 'data-vscode-theme-kind', 'style'] });
  // VS Code writes the theme's --vscode-* values into <html style>.
  observer.observe(document.documentElement, { attributes: true, attributeFilter: ['style'] });
  return () => observer.disconnect();
}
