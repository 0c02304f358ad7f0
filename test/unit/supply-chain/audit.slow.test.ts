// Supply chain: the runtime dependencies (what ships in the bundles) have no high or critical advisories
// (`npm audit --omit=dev`, skipped with a message when the registry's audit endpoint cannot be reached), are
// pinned by sha512 integrity to registry tarballs, run no install scripts, and are installed as locked.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..', '..');

type Verdict = { kind: 'report'; counts: Record<string, number>; offenders: string[] } | { kind: 'unreachable'; reason: string };

interface AuditJson {
  metadata?: { vulnerabilities?: Record<string, number> };
  vulnerabilities?: Record<string, { severity?: string; range?: string; via?: unknown[] }>;
  error?: { code?: string; summary?: string; detail?: string };
  statusCode?: number;
  message?: string;
}

/** Reads `npm audit --json` output: a report, or why the audit service could not answer. */
export function auditVerdict(stdout: string): Verdict {
  let json: AuditJson;
  try {
    json = JSON.parse(stdout) as AuditJson;
  } catch {
    return { kind: 'unreachable', reason: `npm audit printed no JSON: ${stdout.trim().slice(0, 200) || '(nothing)'}` };
  }
  const counts = json.metadata?.vulnerabilities;
  if (counts && typeof counts === 'object') {
    const offenders = Object.entries(json.vulnerabilities ?? {})
      .filter(([, v]) => v.severity === 'high' || v.severity === 'critical')
      .map(([name, v]) => `${name} ${v.range ?? ''} (${v.severity})`);
    return { kind: 'report', counts, offenders };
  }
  const reason = json.message ?? json.error?.summary ?? json.error?.code ?? `status ${json.statusCode ?? 'unknown'}`;
  return { kind: 'unreachable', reason };
}

test('auditVerdict reads reports and service failures', () => {
  const clean = auditVerdict(
    JSON.stringify({
      auditReportVersion: 2,
      vulnerabilities: {},
      metadata: { vulnerabilities: { info: 0, low: 0, moderate: 0, high: 0, critical: 0, total: 0 } },
    }),
  );
  assert.deepEqual(clean, { kind: 'report', counts: { info: 0, low: 0, moderate: 0, high: 0, critical: 0, total: 0 }, offenders: [] });
  const bad = auditVerdict(
    JSON.stringify({
      vulnerabilities: { foo: { severity: 'critical', range: '<1.2.3' }, bar: { severity: 'low', range: '*' } },
      metadata: { vulnerabilities: { low: 1, high: 0, critical: 1 } },
    }),
  );
  assert.equal(bad.kind, 'report');
  assert.deepEqual(bad.kind === 'report' && bad.offenders, ['foo <1.2.3 (critical)']);
  const down = auditVerdict(
    JSON.stringify({
      message: '405 Method Not Allowed - POST https://registry.npmjs.org/-/npm/v1/security/advisories/bulk',
      statusCode: 405,
    }),
  );
  assert.deepEqual(down, {
    kind: 'unreachable',
    reason: '405 Method Not Allowed - POST https://registry.npmjs.org/-/npm/v1/security/advisories/bulk',
  });
  assert.equal(auditVerdict('').kind, 'unreachable');
});

test('npm audit --omit=dev: 0 high and 0 critical advisories', (t) => {
  const result = spawnSync('npm', ['audit', '--omit=dev', '--json'], { cwd: ROOT, encoding: 'utf8', timeout: 90_000 });
  if (result.error) {
    t.skip(`npm audit could not run (${result.error.message}); the registry is unreachable from here`);
    return;
  }
  const verdict = auditVerdict(result.stdout);
  if (verdict.kind === 'unreachable') {
    t.skip(`the npm registry's audit endpoint did not answer (${verdict.reason}); run \`npm audit --omit=dev\` where it is reachable`);
    return;
  }
  assert.equal(verdict.counts.critical ?? 0, 0, `critical advisories: ${verdict.offenders.join(', ')}`);
  assert.equal(verdict.counts.high ?? 0, 0, `high advisories: ${verdict.offenders.join(', ')}`);
});

interface LockPackage {
  version?: string;
  resolved?: string;
  integrity?: string;
  dev?: boolean;
  link?: boolean;
  hasInstallScript?: boolean;
}

function runtimePackages(): [string, LockPackage][] {
  const lock = JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8')) as {
    lockfileVersion: number;
    packages: Record<string, LockPackage>;
  };
  assert.ok(lock.lockfileVersion >= 2, 'package-lock.json v2 or later (with the packages map)');
  return Object.entries(lock.packages).filter(([path, p]) => path !== '' && !p.dev && !p.link);
}

test('every runtime dependency is pinned by sha512 integrity to an https registry tarball', () => {
  const packages = runtimePackages();
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { dependencies?: Record<string, string> };
  // The direct runtime dependencies are all in the lock as non-dev packages.
  for (const name of Object.keys(pkg.dependencies ?? {})) {
    assert.ok(
      packages.some(([path]) => path === `node_modules/${name}`),
      `${name} is locked as a runtime dependency`,
    );
  }
  const unpinned = packages.filter(([, p]) => !/^sha512-[A-Za-z0-9+/]+=*$/.test(p.integrity ?? '')).map(([path]) => path);
  assert.deepEqual(unpinned, [], 'runtime packages without sha512 integrity');
  // Git, http, file or foreign-host sources bypass the registry's immutability.
  const foreign = packages
    .filter(([, p]) => p.resolved !== undefined && !/^https:\/\/registry\.npmjs\.org\//.test(p.resolved))
    .map(([path, p]) => `${path} ← ${p.resolved}`);
  assert.deepEqual(foreign, [], 'runtime packages from outside the npm registry');
});

test('no runtime dependency runs an install script', () => {
  const scripted = runtimePackages()
    .filter(([, p]) => p.hasInstallScript)
    .map(([path]) => path);
  assert.deepEqual(scripted, []);
});

test('the installed runtime tree matches the lockfile (npm ls --omit=dev --all)', () => {
  const result = spawnSync('npm', ['ls', '--omit=dev', '--all', '--json'], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
  assert.ifError(result.error);
  const tree = JSON.parse(result.stdout) as { problems?: string[] };
  assert.deepEqual(tree.problems ?? [], [], 'npm ls problems (missing, invalid or extraneous packages)');
  assert.equal(result.status, 0, result.stderr);
});
