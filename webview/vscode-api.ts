// The webview side of the host connection. Outside VS Code (the CLI's HTML report) there is no
// acquireVsCodeApi, and the page runs read-only.
import type { WebviewMessage } from '../src/shared/protocol';

export interface VsCodeApi {
  postMessage(message: WebviewMessage): void;
  getState(): unknown;
  setState(state: unknown): void;
}

declare global {
  // Injected by VS Code into webviews; callable once per page.
  var acquireVsCodeApi: (() => VsCodeApi) | undefined;
}

export function connect(): VsCodeApi | undefined {
  return typeof globalThis.acquireVsCodeApi === 'function' ? globalThis.acquireVsCodeApi() : undefined;
}
