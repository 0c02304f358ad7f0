// One Chromium and one pair of webview bundles for all browser test files of a run (test/run-unit.mjs
// starts this, reads the JSON line it prints, and ends it by closing stdin): a launch and two esbuild
// builds per file cost more than the tests themselves. Each file still gets its own browser contexts.
//   stdout: {"wsEndpoint": "...", "bundles": {"production": "<file>", "development": "<file>"}}
import { chromium } from 'playwright-core';
import { CHROMIUM_ARGS, CHROMIUM_PATH, buildWebview } from '../webview/harness';

async function serve(): Promise<void> {
  const [production, development] = await Promise.all([buildWebview(true), buildWebview(false)]);
  const server = await chromium.launchServer({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
  process.stdout.write(
    `${JSON.stringify({ wsEndpoint: server.wsEndpoint(), bundles: { production: production.file, development: development.file } })}\n`,
  );
  const stop = async (): Promise<void> => {
    await server.close().catch(() => undefined);
    production.cleanup();
    development.cleanup();
    process.exit(0);
  };
  // The runner closes our stdin when the tests are done (or dies, which closes it too).
  process.stdin.on('end', () => void stop());
  process.stdin.on('close', () => void stop());
  process.stdin.resume();
}

serve().catch((error: unknown) => {
  process.stderr.write(`browser server: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
