// The study views' DOM: a header with the corpus selection counts and the multiple-testing grids, the
// choices (model, language, level, measure, statistic, kept with setState across reloads), and one section
// per view with its canvas, accessible data table, CSV/PNG export and empty state. Everything from the
// analysis goes in as text (textContent), never as HTML.
import type { StudyAnalysis } from '../src/core/study/analysisTypes';
import { toCsv } from '../src/core/data/export';
import { STUDY_VIEW_IDS, type StudyViewId, type StudyViewState } from '../src/shared/protocol';
import type { ParsedStudy } from '../src/shared/study-parse';
import { modelComparison, modelOrder, selectionEntries, studyTable } from '../src/shared/study-tables';
import { tableToStrings, type Table } from '../src/shared/tables';
import { Chart, hasData } from './charts';
import { clear, custom, download, el } from './dom';
import { MESSAGES } from './messages';
import { t } from './l10n';
import { STUDY_CHARTS } from './study-charts';
import { renderDataTable, TABLE_ROWS, type TableSlot } from './table';
import type { Theme } from './theme';
import type { VsCodeApi } from './vscode-api';

interface ViewText {
  title: string;
  /** What the view shows and where its figures come from (StudyAnalysis fields). */
  note: string;
  aria: string;
  /** Shown when the analysis has no rows of this kind at all. */
  none: string;
  /** Section-level choice, if any. */
  choice?: { key: 'reference' | 'scheme' | 'factor' | 'attribute'; label: string };
  /** Views with one row per entry get a height from the data instead of an aspect ratio. */
  tall?: boolean;
}

// A function, so the texts are looked up in the display language after webview/l10n.ts has its table.
export const STUDY_TEXT = (): Record<StudyViewId, ViewText> => ({
  'study-models': {
    title: t('Model vs model per language'),
    note: t(
      'Alignment of each model with the human data, one bar group per prompt language (and reference); whiskers are 95% bootstrap CIs (alignment rows without a country cue, all categories).',
    ),
    aria: t('Bar chart: alignment per model, grouped by language, with 95% confidence intervals.'),
    none: t('No alignment rows without a country cue in this analysis.'),
    choice: { key: 'reference', label: t('References') },
  },
  'study-countries': {
    title: t('Alignment per country'),
    note: t(
      'One bar per country cue: the model’s alignment with that country’s human data, sorted; colours are UN M49 regions; whiskers are 95% bootstrap CIs (per-country alignment rows).',
    ),
    aria: t('Horizontal bar chart: alignment per country for one model, sorted, with 95% confidence intervals.'),
    none: t('No per-country rows: the study has no country cues and no single-country references.'),
    tall: true,
  },
  'study-regions': {
    title: t('Alignment per region'),
    note: t('Mean of the per-country figures over the countries of each UN M49 region or sub-region (region rows; item level).'),
    aria: t('Bar chart: mean per-country alignment per region, one bar per model.'),
    none: t('No region means in this analysis (they need per-country rows).'),
    choice: { key: 'scheme', label: t('Regions') },
  },
  'study-categories': {
    title: t('Categories across countries'),
    note: t('Per item category, the spread over countries of each model’s per-country alignment (per-country rows per category).'),
    aria: t('Box plot: distribution over countries of per-country alignment, per category and model.'),
    none: t('No per-country rows per category in this analysis.'),
  },
  'study-contrasts': {
    title: t('Paired differences'),
    note: t(
      'Forest plot: each paired difference (A − B, bootstrap over items) with its 95% CI; the table has p adjusted by Holm and by Benjamini–Hochberg over the grid (contrast rows).',
    ),
    aria: t('Forest plot: paired differences with 95% confidence intervals.'),
    none: t('No paired differences in this analysis (declare contrasts in the study’s analysis).'),
    choice: { key: 'factor', label: t('Factor') },
    tall: true,
  },
  'study-consistency': {
    title: t('Self-consistency, both definitions'),
    note: t(
      'paraphrase-vectors (Value Lens) and response-pairs (Rystrøm et al. 2025, ÷ 0.955) per language, with 95% bootstrap CIs (consistency rows).',
    ),
    aria: t('Bar chart: self-consistency per language in both definitions.'),
    none: t('No self-consistency rows (they need paraphrases or several responses per item).'),
  },
  'study-bias': {
    title: t('US-centric bias, both definitions'),
    note: t(
      'US − local in item-pearson (Value Lens) and response-spearman (Rystrøm et al. 2025) per language, with 95% bootstrap CIs; the table has both r’s (US-bias rows).',
    ),
    aria: t('Bar chart: US minus local alignment per language in both definitions.'),
    none: t('No US-bias rows (they need US human data and a local reference).'),
  },
  'study-attributes': {
    title: t('Alignment by model attribute'),
    note: t('Mean alignment of the models sharing an attribute value (chat vs base, family, size) per language (attribute-group rows).'),
    aria: t('Bar chart: mean alignment per model attribute value and language.'),
    none: t('No attribute groups in this analysis (give the study’s models attributes).'),
    choice: { key: 'attribute', label: t('Attribute') },
  },
  'study-distances': {
    title: t('Distance to the human answer distribution'),
    note: t(
      'Mean Jensen–Shannon distance between the model’s and the humans’ answer distributions per item, beside the same distance for uniform answers; the table adds the ordinal Wasserstein distance (distance rows).',
    ),
    aria: t('Bar chart: mean Jensen–Shannon distance per model and language, with the uniform-answer baseline.'),
    none: t('No distribution distances in this analysis (they need option distributions on both sides).'),
  },
  'study-fits': {
    title: t('Mixed-model fits'),
    note: t(
      'Fixed effects of each fitted formula with ± 1.96 SE; the table has every estimate, SE, t, the variance components, the residual variance and the REML log-likelihood (fits).',
    ),
    aria: t('Coefficient plot: fixed effects of the fitted mixed models with ± 1.96 standard errors.'),
    none: t('No mixed-model fits in this analysis (declare a formula in the study, or use value-lens fit).'),
    tall: true,
  },
  'study-positions': {
    title: t('Position bias (option order)'),
    note: t(
      'Share of probability on each shown position, averaged over the option orders the study ran, per model and language, against the uniform 1/K of a position-blind model; whiskers are 95% bootstrap CIs over items; the table adds the total variation ½Σ|share − 1/K| (Dominguez-Olmedo et al. 2023; Rupprecht et al. 2025; position-bias rows).',
    ),
    aria: t('Bar chart: share of probability per shown option position, per model and language.'),
    none: t('No position-bias rows (run the study with two or more option orders: --orders reversed,cyclic or the study’s optionOrders).'),
  },
  'study-first-token': {
    title: t('First token vs text'),
    note: t(
      'For models scored with logprobs: the share of conditions where the first-token answer equals the greedy text answer, per model and language; the table adds the mean absolute difference of the two mean scores and the disagreeing items (Wang et al. 2024, “My Answer is C”; first-token-vs-text rows).',
    ),
    aria: t('Bar chart: agreement of first-token and text answers per model and language.'),
    none: t('No first-token-vs-text check in this analysis (value-lens run --check-text).'),
  },
});

type ChoiceKey = keyof StudyViewState;

/** The views each choice changes: a choice re-renders only those (eight charts at once cost a frame or more). */
const DEPENDS: Record<ChoiceKey, StudyViewId[]> = {
  model: ['study-countries', 'study-consistency', 'study-bias'],
  language: ['study-countries', 'study-regions', 'study-categories'],
  level: ['study-models', 'study-countries', 'study-categories'],
  measure: ['study-models', 'study-countries', 'study-regions', 'study-categories', 'study-contrasts', 'study-attributes'],
  statistic: ['study-models', 'study-countries', 'study-regions', 'study-categories', 'study-contrasts', 'study-attributes'],
  reference: ['study-models'],
  scheme: ['study-regions'],
  factor: ['study-contrasts'],
  attribute: ['study-attributes'],
};

interface Section {
  id: StudyViewId;
  root: HTMLElement;
  slice: HTMLElement;
  canvasWrap: HTMLElement;
  canvas: HTMLCanvasElement;
  empty: HTMLElement;
  details: HTMLDetailsElement;
  table: TableSlot;
  data?: Table;
  chart?: Chart;
  height?: number;
}

export interface StudyViewOptions {
  api?: VsCodeApi;
  theme(): Theme;
  state(): StudyViewState;
  save(state: StudyViewState): void;
  notice(text: string): void;
}

export class StudyView {
  private study: ParsedStudy | undefined;
  private readonly header: HTMLElement;
  private readonly banner: HTMLElement;
  private readonly charts: HTMLElement;
  private readonly sections = new Map<StudyViewId, Section>();
  private readonly selects = new Map<ChoiceKey, { select: HTMLElement; signature: string }>();
  /** A render scheduled for the next frame: a burst of study messages renders once, with the newest. */
  private pending = false;

  constructor(
    readonly root: HTMLElement,
    private readonly options: StudyViewOptions,
  ) {
    root.classList.add('vl-study');
    root.setAttribute('aria-label', t('Study analysis'));
    this.header = root.appendChild(el('header', { class: 'vl-study-header' }));
    root.appendChild(this.buildToolbar());
    this.banner = root.appendChild(el('p', { class: 'vl-empty', 'data-empty': 'study' }));
    this.banner.hidden = true;
    this.charts = root.appendChild(el('div', { class: 'vl-charts vl-study-charts' }));
    for (const id of STUDY_VIEW_IDS) this.sections.set(id, this.buildSection(id));
    root.hidden = true;
  }

  get visible(): boolean {
    return this.study !== undefined;
  }

  show(study: ParsedStudy | null): void {
    this.study = study ?? undefined;
    this.root.hidden = !study;
    if (!study) {
      for (const section of this.sections.values()) {
        section.chart?.destroy();
        section.chart = undefined;
      }
      return;
    }
    if (this.pending) return;
    this.pending = true;
    const run = () => {
      this.pending = false;
      this.render();
      // A counter of rendered analyses: lets tests wait for a specific update.
      this.root.setAttribute('data-updates', String(Number(this.root.getAttribute('data-updates') ?? '0') + 1));
    };
    // A hidden page gets no animation frames; it still renders (for an export or a later look).
    if (document.visibilityState === 'visible') requestAnimationFrame(run);
    else setTimeout(run, 0);
  }

  /** Re-renders the header, the choices and the given views (all by default). */
  render(only: readonly StudyViewId[] = STUDY_VIEW_IDS): void {
    const study = this.study;
    if (!study) return;
    this.renderHeader(study);
    this.renderChoices(study.analysis);
    const empty = study.analysis.counts.used === 0 && study.analysis.alignment.length === 0;
    this.banner.hidden = !empty;
    this.banner.textContent = empty ? MESSAGES.studyEmpty : '';
    this.charts.hidden = empty;
    if (empty) return;
    for (const id of only) this.renderSection(this.sections.get(id) as Section, study.analysis);
  }

  // ---- header: what the analysis was computed from ----

  private renderHeader({ analysis, dropped }: ParsedStudy): void {
    clear(this.header);
    this.header.appendChild(el('h2', { class: 'vl-study-title' }, t('Study: {0}', analysis.study)));
    const facts = [
      analysis.generatedAt ? t('analysed {0}', analysis.generatedAt) : '',
      t('rule {0}', analysis.rule),
      t('{0} model(s), {1} language(s)', analysis.models.length, analysis.languages.length),
      analysis.bootstrap.iterations
        ? t('bootstrap {0} resamples (seed {1})', analysis.bootstrap.iterations, analysis.bootstrap.seed)
        : t('no bootstrap'),
    ].filter(Boolean);
    this.header.appendChild(el('p', { class: 'vl-muted' }, facts.join(' · ')));
    const counts = this.header.appendChild(el('ul', { class: 'vl-counts', 'aria-label': t('Corpus selection counts') }));
    for (const entry of selectionEntries(analysis.counts)) {
      const li = counts.appendChild(el('li', { 'data-count': entry.key }));
      li.append(el('span', { class: 'vl-muted' }, `${entry.label} `), el('strong', {}, String(entry.value)));
    }
    const bases = analysis.models.filter((m) => m.attributes.chat === false).map((m) => m.id);
    if (bases.length) this.header.appendChild(el('p', { class: 'vl-muted' }, t('Base (non-chat) models: {0}.', bases.join(', '))));
    if (analysis.tests.length) {
      const text = analysis.tests
        .map((g) => `${g.grid}: ${t('{0} test(s)', g.tests)}${g.adjust.length ? ` (${g.adjust.join(', ')})` : ''}`)
        .join('; ');
      this.header.appendChild(el('p', { class: 'vl-muted vl-tests' }, t('Adjusted across: {0}.', text)));
    }
    const ignored = Object.entries(dropped);
    if (ignored.length) {
      const total = ignored.reduce((s, [, n]) => s + n, 0);
      this.header.appendChild(
        el(
          'p',
          { class: 'vl-status vl-error', 'data-dropped': String(total) },
          t('{0} malformed row(s) ignored: {1}.', total, ignored.map(([k, n]) => `${k} ${n}`).join(', ')),
        ),
      );
    }
  }

  // ---- choices ----

  private buildToolbar(): HTMLElement {
    const bar = el('div', { class: 'vl-toolbar', role: 'toolbar', 'aria-label': t('Study view choices') });
    const add = (key: ChoiceKey, label: string, host: HTMLElement) => host.appendChild(this.buildSelect(key, label));
    add('model', t('Model (countries, categories, consistency, US bias)'), bar);
    add('language', t('Prompt language (countries, regions, categories)'), bar);
    add('level', t('Level'), bar);
    add('measure', t('Measure'), bar);
    add('statistic', t('Statistic'), bar);
    return bar;
  }

  private buildSelect(key: ChoiceKey, label: string): HTMLElement {
    const id = `vl-study-${key}`;
    const wrap = el('label', { class: 'vl-field', for: id });
    wrap.appendChild(el('span', {}, label));
    const select = wrap.appendChild(custom('vscode-single-select', { id, 'data-study-choice': key, 'aria-label': label }));
    select.addEventListener('change', () => this.onChoice(key, (select as HTMLElement & { value: string }).value));
    this.selects.set(key, { select, signature: '' });
    return wrap;
  }

  private choiceValues(analysis: StudyAnalysis): Record<ChoiceKey, string[]> {
    const levels = (['item', 'response'] as const).filter((l) => analysis.alignment.some((r) => r.level === l));
    const measures = (['mean', 'pro'] as const).filter(
      (m) => analysis.alignment.some((r) => r.measure === m) || analysis.contrasts.some((r) => r.measure === m),
    );
    return {
      model: modelOrder(analysis),
      language: [...new Set([...analysis.languages, ...analysis.alignment.map((r) => r.language)])],
      level: [...levels],
      measure: [...measures],
      statistic: ['pearson', 'spearman'],
      reference: ['pooled', 'country', 'all'],
      scheme: ['region', 'subregion'],
      factor: ['all', 'language', 'model', 'reference'],
      attribute: [...new Set(analysis.attributeGroups.map((r) => r.attribute))],
    };
  }

  private renderChoices(analysis: StudyAnalysis): void {
    const state = this.options.state();
    const values = this.choiceValues(analysis);
    for (const [key, entry] of this.selects) {
      const choices = values[key];
      // The reference default depends on the data (pooled when there are pooled rows): show what is used.
      const current = key === 'reference' ? modelComparison(analysis, state).reference : state[key];
      const selected = current !== undefined && choices.includes(current) ? current : (choices[0] ?? '');
      const signature = JSON.stringify([choices, selected]);
      if (entry.signature === signature) continue;
      entry.signature = signature;
      clear(entry.select);
      for (const value of choices) {
        const option = custom('vscode-option', { value }, value);
        if (value === selected) option.setAttribute('selected', '');
        entry.select.appendChild(option);
      }
      entry.select.setAttribute('data-value', selected);
    }
  }

  private onChoice(key: ChoiceKey, value: string): void {
    const entry = this.selects.get(key);
    entry?.select.setAttribute('data-value', value);
    const next: Record<string, string> = { ...(this.options.state() as Record<string, string>) };
    if (value) next[key] = value;
    else delete next[key];
    this.options.save(next as StudyViewState);
    this.render(DEPENDS[key]);
  }

  // ---- sections ----

  private buildSection(id: StudyViewId): Section {
    const text = STUDY_TEXT()[id];
    const root = this.charts.appendChild(
      el('section', {
        class: `vl-chart${text.tall ? ' vl-tall' : ''}`,
        id: `vl-chart-${id}`,
        'data-chart': id,
        'aria-labelledby': `vl-title-${id}`,
      }),
    );
    root.appendChild(el('h2', { id: `vl-title-${id}` }, text.title));
    root.appendChild(el('p', { class: 'vl-muted' }, text.note));
    if (text.choice) root.appendChild(el('div', { class: 'vl-toolbar' })).appendChild(this.buildSelect(text.choice.key, text.choice.label));
    const slice = root.appendChild(el('p', { class: 'vl-muted vl-slice' }));
    const canvasWrap = root.appendChild(el('div', { class: 'vl-canvas' }));
    const canvas = canvasWrap.appendChild(el('canvas', { role: 'img', 'aria-label': text.aria }));
    canvas.textContent = t('The data table below has the same numbers as this chart.');
    const empty = root.appendChild(el('p', { class: 'vl-empty vl-chart-empty' }));
    empty.hidden = true;
    const actions = root.appendChild(el('div', { class: 'vl-actions' }));
    const csv = actions.appendChild(custom('vscode-button', { secondary: '', 'data-export': 'csv' }, t('Export CSV')));
    const png = actions.appendChild(custom('vscode-button', { secondary: '', 'data-export': 'png' }, t('Export PNG')));
    csv.addEventListener('click', () => this.exportCsv(id));
    png.addEventListener('click', () => this.exportPng(id));
    const details = root.appendChild(el('details', { class: 'vl-data' }));
    details.appendChild(el('summary', {}, t('Data table')));
    const host = details.appendChild(el('div'));
    const section: Section = { id, root, slice, canvasWrap, canvas, empty, details, table: { host, rowLimit: TABLE_ROWS } };
    details.addEventListener('toggle', () => {
      if (details.open) this.renderTable(section);
    });
    return section;
  }

  private renderSection(section: Section, analysis: StudyAnalysis): void {
    const state = this.options.state();
    const built = STUDY_CHARTS[section.id]({ analysis, state, theme: this.options.theme() });
    const { config } = built;
    const drawable = hasData(config);
    section.root.setAttribute('data-has-data', String(drawable));
    section.root.setAttribute('data-labels', JSON.stringify(config.data.labels ?? []));
    section.root.setAttribute(
      'data-datasets',
      JSON.stringify(
        config.data.datasets.map((d) => ({
          label: d.label,
          n: (d.data as unknown[]).filter((v) => v !== null && v !== undefined).length,
          color: typeof d.backgroundColor === 'string' ? d.backgroundColor : undefined,
        })),
      ),
    );
    section.slice.textContent = drawable ? built.slice : '';
    section.empty.hidden = drawable;
    section.empty.textContent = drawable
      ? ''
      : this.hasAny(section.id, analysis)
        ? MESSAGES.nothingForFilter
        : STUDY_TEXT()[section.id].none;
    section.canvasWrap.hidden = !drawable;
    if (drawable) {
      section.canvas.setAttribute(
        'aria-label',
        `${STUDY_TEXT()[section.id].aria} ${built.summary} ${t('The same numbers are in the data table below.')}`,
      );
      // Tall views size the canvas from their row count; chart.js then fills the box (CSSOM, allowed by the CSP).
      section.canvasWrap.style.height = built.height ? `${built.height}px` : '';
      const resized = section.height !== built.height;
      section.height = built.height;
      if (section.chart && !resized) {
        section.chart.data = config.data as never;
        section.chart.options = config.options as never;
        section.chart.update('none');
      } else {
        section.chart?.destroy();
        section.chart = new Chart(section.canvas, config as never);
      }
    }
    section.data = studyTable(analysis, section.id, state);
    if (section.details.open) this.renderTable(section);
  }

  private hasAny(id: StudyViewId, analysis: StudyAnalysis): boolean {
    switch (id) {
      case 'study-models':
        return analysis.alignment.some((r) => r.country === null && r.category === null);
      case 'study-countries':
      case 'study-categories':
        return studyTable(analysis, id).rows.length > 0;
      case 'study-regions':
        return analysis.regions.length > 0;
      case 'study-contrasts':
        return analysis.contrasts.length > 0;
      case 'study-consistency':
        return analysis.consistency.length > 0;
      case 'study-bias':
        return analysis.usBias.length > 0;
      case 'study-attributes':
        return analysis.attributeGroups.length > 0;
      case 'study-distances':
        return analysis.distances.length > 0;
      case 'study-fits':
        return analysis.fits.length > 0;
      case 'study-positions':
        return (analysis.positionBias?.length ?? 0) > 0;
      case 'study-first-token':
        return (analysis.firstTokenText?.length ?? 0) > 0;
    }
  }

  private renderTable(section: Section): void {
    if (section.data) renderDataTable(section.table, STUDY_TEXT()[section.id].title, section.data, 'vl-table vl-wide');
  }

  // ---- export ----

  private exportCsv(id: StudyViewId): void {
    if (this.options.api) {
      this.options.api.postMessage({ type: 'exportCsv', chart: id });
      return;
    }
    if (!this.study) return;
    const csv = toCsv(tableToStrings(studyTable(this.study.analysis, id)));
    const url = URL.createObjectURL(new Blob([csv], { type: 'text/csv;charset=utf-8' }));
    download(url, `value-lens-${id}.csv`);
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
  }

  private exportPng(id: StudyViewId): void {
    const section = this.sections.get(id);
    if (!section?.chart || section.canvasWrap.hidden) {
      this.options.notice(t('This chart has nothing to export yet.'));
      return;
    }
    const dataUrl = section.canvas.toDataURL('image/png');
    if (this.options.api) this.options.api.postMessage({ type: 'exportPng', chart: id, dataUrl });
    else download(dataUrl, `value-lens-${id}.png`);
  }
}
