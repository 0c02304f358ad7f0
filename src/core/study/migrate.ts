// From the settings-based setup of earlier versions (one open .wvs file, the `valueLens.*` settings) to a
// study file with the same design written out explicitly, so that nothing changes silently on the move:
// the editor's sample count, method, temperature, endpoint and language→country map become explicit values.

import { dirname, relative, sep } from 'node:path';
import { DEFAULT_LANGUAGE_COUNTRIES } from '../data';
import { DEFAULT_ENDPOINTS } from './parse';

/** The settings that shaped a run before studies (package.json `valueLens.*`). */
export interface LegacySettings {
  provider: 'ollama' | 'openai';
  ollamaHost?: string;
  openaiBaseUrl?: string;
  /** `valueLens.model`; empty means none chosen. */
  model: string;
  method?: 'auto' | 'logprobs' | 'loglik' | 'sample';
  samples?: number;
  temperature?: number;
  languageCountries?: Record<string, string[]>;
  /** `valueLens.humanData` as an absolute path. */
  humanData?: string;
  /** `valueLens.template`. */
  template?: string;
}

export interface StudyFromSettingsInput {
  /** Where the study file will be written (absolute); paths in it are relative to its folder. */
  studyPath: string;
  surveyFiles: string[];
  templateFiles: string[];
  languages: string[];
  settings: LegacySettings;
}

/** The study file text (pretty JSON) equivalent to a settings-based setup. */
export function studyFromSettings(input: StudyFromSettingsInput): string {
  const dir = dirname(input.studyPath);
  const rel = (p: string): string => {
    const r = relative(dir, p).split(sep).join('/');
    return r === '' ? '.' : r;
  };
  const s = input.settings;
  const endpoint = s.provider === 'ollama' ? s.ollamaHost || DEFAULT_ENDPOINTS.ollama : s.openaiBaseUrl || DEFAULT_ENDPOINTS.openai;
  const map: Record<string, string[]> = {};
  for (const l of input.languages) {
    const list = s.languageCountries?.[l] ?? DEFAULT_LANGUAGE_COUNTRIES[l];
    if (list?.length) map[l] = [...list];
  }
  // Before studies, {country} was the first country of the prompt language; those become the cues (now
  // crossed with every language: narrow with --country or a filter to get the old pairs back).
  const cues = [...new Set(Object.values(map).map((list) => list[0]))];
  const model = s.model.trim();
  const study: Record<string, unknown> = {
    items: input.surveyFiles.map((file) => ({ file: rel(file) })),
    templates: input.templateFiles.map((file) => (s.template ? { file: rel(file), names: [s.template] } : { file: rel(file) })),
    languages: [...input.languages],
    countries: cues,
    languageCountries: map,
    // Method loglik scores base models only: the lens ran its model as one (src/editor/runPrepare.ts).
    models: [
      {
        id: model || 'model',
        provider: s.provider,
        model: model || 'model',
        endpoint: originOnly(endpoint),
        ...(s.method === 'loglik' ? { kind: 'base' } : {}),
      },
    ],
    method: s.method ?? 'auto',
    // The editor's default was 20 samples; a study's default is 10. Keep what the settings said.
    samples: s.samples ?? 20,
  };
  if (s.temperature !== undefined) study.temperature = s.temperature;
  if (s.humanData) study.human = [{ file: rel(s.humanData) }];
  return JSON.stringify(study, null, 2) + '\n';
}

/** The URL without user, password, query or fragment: a study file never carries credentials. */
function originOnly(url: string): string {
  try {
    const u = new URL(url);
    u.username = '';
    u.password = '';
    u.search = '';
    u.hash = '';
    return u.toString().replace(/\/$/, '');
  } catch {
    return url;
  }
}
