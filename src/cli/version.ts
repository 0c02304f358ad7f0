// The tool version (package.json beside the bundle's folder), written into every run manifest.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { bundleDir } from './report';

export function version(): string {
  try {
    const pkg = JSON.parse(readFileSync(join(bundleDir(), '..', 'package.json'), 'utf8')) as { version?: string };
    return pkg.version ?? 'unknown';
  } catch {
    return 'unknown';
  }
}
