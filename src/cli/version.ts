// The tool version (package.json beside the bundle's folder), written into every run manifest.
import { readFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

// Here, not in report.ts: every command asks for the version, and report.ts pulls in the analysis and the
// HTML writer.
/** The folder of dist/cli.js (run from source: the repository's dist/). */
export function bundleDir(): string {
  if (typeof __dirname !== 'string') return process.cwd();
  return basename(__dirname) === 'cli' && basename(dirname(__dirname)) === 'src' ? join(__dirname, '..', '..', 'dist') : __dirname;
}

export function version(): string {
  try {
    const pkg = JSON.parse(readFileSync(join(bundleDir(), '..', 'package.json'), 'utf8')) as { version?: string };
    return pkg.version ?? 'unknown';
  } catch {
    return 'unknown';
  }
}
