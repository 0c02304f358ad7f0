// User-facing texts of the panel's empty states (also asserted by the browser tests). Getters, so each is
// looked up in the display language when shown (webview/l10n.ts).
import { t } from './l10n';

export const MESSAGES = {
  get waiting(): string {
    return t('Waiting for results from Value Lens…');
  },
  get noResults(): string {
    return t('No results yet — click Score above an item in a .wvs file (or run `value-lens score`), then come back here.');
  },
  get noHuman(): string {
    return t(
      'No human data mapped — set valueLens.humanData to a CSV of survey aggregates (see docs/statistics.md, "Human reference data") and map items with a data key; the correlation charts need it.',
    );
  },
  get nothingForFilter(): string {
    return t('Nothing to show for this selection.');
  },
  get studyEmpty(): string {
    return t('This study’s analysis has no usable responses: see the selection counts above (records read, used and skipped by reason).');
  },
};
