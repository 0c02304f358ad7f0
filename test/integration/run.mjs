// Integration tests in a real VS Code (@vscode/test-electron + mocha). Needs a VS Code build: an executable in
// VSCODE_EXECUTABLE, a complete download in .vscode-test/, or a download from update.code.visualstudio.com.
// When none is possible (no network, no display) it says SKIPPED with the reason and exits 0 — it never
// reports a pass it did not run.
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const skip = (reason) => {
  console.log(`integration: SKIPPED — ${reason}`);
  process.exit(0);
};

async function findVSCode() {
  if (process.env.VSCODE_EXECUTABLE) return process.env.VSCODE_EXECUTABLE;
  const { downloadAndUnzipVSCode } = await import('@vscode/test-electron');
  const version = process.env.VSCODE_VERSION ?? 'stable';
  if (process.env.VALUE_LENS_OFFLINE === '1') {
    // Only a complete cached build can be used offline.
    const cache = join(root, '.vscode-test');
    const complete = existsSync(cache) && readdirSync(cache).some((d) => existsSync(join(cache, d, 'is-complete')));
    if (!complete) skip('VS Code could not be downloaded (VALUE_LENS_OFFLINE=1 and no complete build in .vscode-test/)');
  }
  try {
    return await downloadAndUnzipVSCode({ version, cachePath: join(root, '.vscode-test'), timeout: 15_000 });
  } catch (error) {
    skip(`VS Code could not be downloaded (${error instanceof Error ? error.message : String(error)})`);
  }
}

function ensureDisplay() {
  if (process.platform !== 'linux' || process.env.DISPLAY) return undefined;
  const which = spawnSync('sh', ['-c', 'command -v Xvfb'], { encoding: 'utf8' });
  if (which.status !== 0) skip('no display: set DISPLAY or install Xvfb (Debian: xvfb)');
  const display = `:${90 + Math.floor(Math.random() * 9)}`;
  const xvfb = spawn('Xvfb', [display, '-screen', '0', '1280x1024x24'], { stdio: 'ignore' });
  process.env.DISPLAY = display;
  return xvfb;
}

function startFakeOllama() {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'test/support/fake-server-cli.ts', '--kind', 'ollama', '--port', '0'], {
      cwd: root,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (chunk) => {
      out += chunk;
      const line = out.split('\n')[0];
      if (out.includes('\n')) resolvePromise({ child, url: line.trim() });
    });
    child.on('exit', (code) => reject(new Error(`fake Ollama exited with ${code}`)));
  });
}

const executable = await findVSCode();
const xvfb = ensureDisplay();

// Build the extension and bundle the suite (mocha + tests) into out/integration.
if (spawnSync(process.execPath, ['esbuild.mjs'], { cwd: root, stdio: 'inherit' }).status !== 0) process.exit(1);
const outDir = join(root, 'out', 'integration');
await esbuild.build({
  entryPoints: [join(root, 'test/integration/suite/index.ts')],
  outfile: join(outDir, 'index.js'),
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  external: ['vscode', 'mocha'],
  logLevel: 'warning',
});

// A fresh fixture workspace with the examples, and a user profile pointing the extension at the fake server.
const work = mkdtempSync(join(tmpdir(), 'vl-integration-'));
const workspace = join(work, 'workspace');
mkdirSync(workspace);
for (const name of readdirSync(join(root, 'examples')))
  if (/\.(wvs|wvt)$/.test(name)) cpSync(join(root, 'examples', name), join(workspace, name));
const fake = await startFakeOllama();
const userData = join(work, 'user-data');
mkdirSync(join(userData, 'User'), { recursive: true });
writeFileSync(
  join(userData, 'User', 'settings.json'),
  JSON.stringify({
    'security.workspace.trust.enabled': false,
    'valueLens.provider': 'ollama',
    'valueLens.ollama.host': fake.url,
    'valueLens.model': 'fake-llm:latest',
    'valueLens.method': 'logprobs',
    'valueLens.template': 'direct',
  }),
);

let code = 1;
try {
  const { runTests } = await import('@vscode/test-electron');
  code = await runTests({
    vscodeExecutablePath: executable,
    extensionDevelopmentPath: root,
    extensionTestsPath: join(outDir, 'index.js'),
    launchArgs: [workspace, '--disable-extensions', '--user-data-dir', userData, '--skip-welcome', '--skip-release-notes'],
    extensionTestsEnv: { VALUE_LENS_FAKE_URL: fake.url, VALUE_LENS_MOCHA: join(root, 'node_modules', 'mocha') },
  });
  console.log(code === 0 ? 'integration: PASSED' : `integration: FAILED (exit ${code})`);
} catch (error) {
  console.error(`integration: FAILED — ${error instanceof Error ? error.message : String(error)}`);
} finally {
  fake.child.kill('SIGTERM');
  xvfb?.kill('SIGTERM');
}
process.exit(code);
