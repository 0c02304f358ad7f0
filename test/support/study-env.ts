// The run environment of a study test against a fake Ollama: the CLI's settings (every probe passes, every
// estimate is confirmed), a fresh ResultCache in `cacheDir`, and whatever the test adds or overrides.
import { ResultCache } from '../../src/core/run/cache';
import type { StudyRunEnvironment } from '../../src/core/study/session';
import { createOllamaProvider } from '../../src/providers/ollama';

export function ollamaStudyEnv(cacheDir: string, extra: Partial<StudyRunEnvironment> = {}): StudyRunEnvironment {
  return {
    providerFor: (m) => createOllamaProvider({ host: m.endpoint }),
    probeFor: () => async () => true,
    cache: new ResultCache(cacheDir),
    cacheDir,
    via: 'cli',
    toolVersion: 'test',
    confirm: async () => true,
    signal: new AbortController().signal,
    ...extra,
  };
}
