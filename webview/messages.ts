// User-facing texts of the panel's empty states (also asserted by the browser tests).
export const MESSAGES = {
  waiting: 'Waiting for results from Value Lens…',
  noResults: 'No results yet — click Score above an item in a .wvs file (or run `value-lens score`), then come back here.',
  noHuman: 'No human data mapped — set valueLens.humanData to a CSV of survey aggregates (see docs/statistics.md, "Human reference data") and map items with a data key; the correlation charts need it.',
  nothingForFilter: 'Nothing to show for this selection.',
  studyEmpty: 'This study’s analysis has no usable responses: see the selection counts above (records read, used and skipped by reason).',
};
