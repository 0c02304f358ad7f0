// Whether a command's argument names a study file. Its own module: the dispatcher asks it for every
// `score|analyze|report`, and importing study.ts for it evaluated the study commands, the batch engines
// and their clients before a plain `score ITEMS.wvs` did anything.

const STUDY_FILE = /\.study\.json$/i;

export function isStudyPath(path: string): boolean {
  return STUDY_FILE.test(path);
}
