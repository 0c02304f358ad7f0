// The study analysis on the extension host's own thread, for runs from source (the tests), where there is no
// dist/cli.js to start as the analysis worker. The module path is computed, so esbuild leaves the analysis out
// of dist/extension.js (74 kB of it, issue 20): the bundle always has its worker beside it, and every study —
// a study file or an items file's implicit one — is analysed there.
import { join } from 'node:path';
import type { analyzeCorpus } from '../core/study/analyzeCorpus';

export function inProcessAnalyzeCorpus(): typeof analyzeCorpus {
  const path = join(__dirname, '..', 'core', 'study', 'analyzeCorpus');
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- computed on purpose: not bundled
    return (require(path) as { analyzeCorpus: typeof analyzeCorpus }).analyzeCorpus;
  } catch (error) {
    throw new Error(
      `The analysis worker (dist/cli.js) is missing beside the extension, and ${path} cannot be loaded: reinstall the extension`,
      { cause: error },
    );
  }
}
