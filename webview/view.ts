// The panel's DOM: filter bar, run progress, empty states and one section per chart (canvas, accessible
// table, CSV/PNG export). Charts are updated in place on each report so live runs stay cheap.
import type { AnalysisFilter, AnalysisReport } from '../src/core/analysis';
import { CHART_IDS, type ChartId, type PanelState, type RunProgress } from '../src/shared/protocol';
import { chartTable, formatCell, formatMeasure, inconsistentItems, tableToStrings, type Table } from '../src/shared/tables';
import { toCsv } from '../src/core/data/export';
import { renderDataTable, TABLE_ROWS, type TableSlot } from './table';
import { CHART_BUILDERS, Chart, describeChart, hasData, type ChartContext } from './charts';
import { clear, custom, download, el } from './dom';
import { parseHostMessage } from './report';
import { readTheme, watchTheme, type Theme } from './theme';
import type { VsCodeApi } from './vscode-api';
import { MESSAGES } from './messages';
import { t } from './l10n';
import type { ParsedStudy } from '../src/shared/study-parse';
import { StudyView } from './study-view';

// A function, so the texts are looked up in the display language after webview/l10n.ts has its table.
const CHART_TEXT = (): Record<ChartId, { title: string; aria: string; note: string }> => ({
  correlation: {
    title: t('Correlation with human data per language'),
    aria: t(
      'Bar chart: Pearson r between model and human item scores, one bar group per model, one bar per language, with 95% confidence intervals.',
    ),
    note: t('Pearson r between the model’s item scores and the local human means; whiskers are 95% CIs.'),
  },
  scatter: {
    title: t('Model vs human score per item'),
    aria: t('Scatter chart: model score against human score per item, one series per language, with a y = x reference line.'),
    note: t('Each point is one item; points on the dashed line mean the model matches the human average.'),
  },
  consistency: {
    title: t('Self-consistency across paraphrases'),
    aria: t('Bar chart: mean pairwise Spearman correlation between paraphrases, per language and model.'),
    note: t('Mean pairwise Spearman ρ between the item scores of different paraphrases (needs ≥ 2 paraphrases).'),
  },
  category: {
    title: t('Alignment per category'),
    aria: t('Bar chart: Pearson r with human data per item category and language.'),
    note: t('Pearson r within each category (socio-cultural norms, social systems, progress).'),
  },
  bias: {
    title: t('Local vs US reference'),
    aria: t(
      'Bar chart: alignment with the local and with the US human reference per language, and their difference with a 95% bootstrap CI.',
    ),
    note: t('A positive “US − local” means the model answers more like Americans than like the language’s own country.'),
  },
});

const HUMAN_CHARTS: ChartId[] = ['correlation', 'scatter', 'category', 'bias'];

interface Section {
  id: ChartId;
  root: HTMLElement;
  canvasWrap: HTMLElement;
  canvas: HTMLCanvasElement;
  empty: HTMLElement;
  details: HTMLDetailsElement;
  /** Where the data table goes, and how many rows it shows before "Show all". */
  table: TableSlot;
  /** The newest numbers; rendered into the table when it is open (or opened), so live updates stay cheap. */
  data?: Table;
  chart?: Chart;
  extra?: HTMLElement;
}

export interface ViewOptions {
  readOnly: boolean;
  state: PanelState;
  api?: VsCodeApi;
}

export class PanelView {
  private report: AnalysisReport | undefined;
  private state: PanelState;
  private theme: Theme;
  private readonly sections = new Map<ChartId, Section>();
  private readonly filterSelects = new Map<keyof AnalysisFilter | 'focus', { select: HTMLElement; key: string }>();
  private readonly status: HTMLElement;
  private readonly progress: HTMLElement;
  private readonly banner: HTMLElement;
  private readonly charts: HTMLElement;
  private readonly study: StudyView;

  constructor(
    private readonly root: HTMLElement,
    private readonly options: ViewOptions,
  ) {
    this.state = options.state;
    this.theme = readTheme();
    root.classList.add('vl-panel');
    if (options.readOnly) root.classList.add('vl-read-only');
    root.setAttribute('data-state', 'waiting');
    clear(root);
    root.appendChild(el('h1', {}, t('Value Lens — alignment with human survey data')));
    // The study views come first: their header (study, selection counts) is the panel's header when a study is shown.
    this.study = new StudyView(root.appendChild(el('section', { id: 'vl-study' })), {
      api: options.api,
      theme: () => this.theme,
      state: () => this.state.study ?? {},
      save: (study) => {
        this.state = { ...this.state, study };
        this.persist();
      },
      notice: (text) => this.showNotice(text),
    });
    root.appendChild(this.buildToolbar());
    this.progress = root.appendChild(el('div', { class: 'vl-progress', role: 'status', 'aria-live': 'polite' }));
    this.status = root.appendChild(el('div', { class: 'vl-status', role: 'alert' }));
    this.banner = root.appendChild(el('p', { class: 'vl-empty', 'data-empty': 'waiting' }, options.readOnly ? '' : MESSAGES.waiting));
    this.banner.hidden = options.readOnly;
    this.charts = root.appendChild(el('div', { class: 'vl-charts' }));
    for (const id of CHART_IDS) this.sections.set(id, this.buildSection(id));
    this.charts.hidden = true;
    watchTheme(() => this.applyTheme());
  }

  /** Webview mode: tells the host about a filter restored from getState (after a reload). */
  announceRestoredFilter(): void {
    if (Object.keys(this.state.filter).length) this.options.api?.postMessage({ type: 'setFilter', filter: this.state.filter });
  }

  onHostMessage(data: unknown): void {
    const message = parseHostMessage(data);
    if (!message) return;
    if (message.type === 'report') this.showReport(message.report, message.filter, message.progress);
    else if (message.type === 'study') this.showStudy(message.study);
    else if (message.type === 'error') this.showError(message.message);
    else this.showNotice(message.message);
  }

  showError(text: string): void {
    this.status.className = 'vl-status vl-error';
    this.status.textContent = text;
  }

  private showNotice(text: string): void {
    this.status.className = 'vl-status vl-notice';
    this.status.textContent = text;
  }

  showReport(report: AnalysisReport, filter: AnalysisFilter, progress: RunProgress | null): void {
    this.report = report;
    this.state = { ...this.state, filter: { ...filter } };
    this.persist();
    this.renderProgress(progress);
    this.renderFilters(report);
    this.renderAll();
    // A counter of rendered reports: lets tests and the bench wait for a specific update.
    this.root.setAttribute('data-updates', String(Number(this.root.getAttribute('data-updates') ?? '0') + 1));
  }

  /** Shows (or, with null, removes) a study's analysis in the study views. */
  showStudy(study: ParsedStudy | null): void {
    this.study.show(study);
    // With a study on screen, "no results yet" about workspace scoring would read as if the study had none.
    const kind = this.banner.getAttribute('data-empty');
    this.banner.hidden = !this.banner.textContent || (kind === 'no-results' && this.study.visible);
  }

  private persist(): void {
    this.options.api?.setState(this.state);
  }

  private focusModel(report: AnalysisReport): string | undefined {
    if (this.state.filter.model) return this.state.filter.model;
    if (this.state.focusModel && report.models.includes(this.state.focusModel)) return this.state.focusModel;
    return report.models[0];
  }

  private renderAll(): void {
    const report = this.report;
    if (!report) return;
    if (report.counts.results === 0) {
      this.setEmpty('no-results', MESSAGES.noResults);
      this.charts.hidden = true;
      return;
    }
    const noHuman = report.counts.humanRows === 0;
    this.setEmpty(noHuman ? 'no-human' : 'none', noHuman ? MESSAGES.noHuman : '');
    this.charts.hidden = false;
    const context: ChartContext = { report, focusModel: this.focusModel(report), theme: this.theme };
    for (const section of this.sections.values()) this.renderSection(section, context, noHuman && HUMAN_CHARTS.includes(section.id));
  }

  private setEmpty(kind: string, text: string): void {
    this.root.setAttribute('data-state', kind === 'none' || kind === 'no-human' ? 'charts' : kind);
    this.banner.setAttribute('data-empty', kind);
    this.banner.textContent = text;
    this.banner.hidden = !text || (kind === 'no-results' && this.study.visible);
  }

  private renderSection(section: Section, context: ChartContext, needsHuman: boolean): void {
    const config = CHART_BUILDERS[section.id](context);
    const tableOptions = { focusModel: ['scatter', 'category', 'bias'].includes(section.id) ? context.focusModel : undefined };
    const table = chartTable(context.report, section.id, tableOptions);
    const drawable = hasData(config);
    section.root.setAttribute('data-has-data', String(drawable));
    // What the chart shows, for assistive tech summaries and tests: labels and per-dataset value counts.
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
    section.empty.hidden = drawable;
    section.empty.textContent = drawable ? '' : needsHuman ? MESSAGES.noHuman : MESSAGES.nothingForFilter;
    section.canvasWrap.hidden = !drawable;
    if (drawable) {
      section.canvas.setAttribute(
        'aria-label',
        `${CHART_TEXT()[section.id].aria} ${describeChart(config)} ${t('The same numbers are in the data table below.')}`,
      );
      if (section.chart && (section.chart.config as { type?: string }).type === config.type) {
        section.chart.data = config.data as never;
        section.chart.options = config.options as never;
        section.chart.update('none');
      } else {
        section.chart?.destroy();
        section.chart = new Chart(section.canvas, config as never);
      }
    }
    section.data = table;
    if (section.details.open) this.renderTable(section);
    if (section.id === 'consistency' && section.extra) this.renderInconsistent(section.extra, context.report);
  }

  private renderTable(section: Section): void {
    if (!section.data) return;
    renderDataTable(section.table, CHART_TEXT()[section.id].title, section.data);
  }

  private renderInconsistent(host: HTMLElement, report: AnalysisReport): void {
    const table = inconsistentItems(report, 10);
    clear(host);
    host.appendChild(el('h3', {}, t('Most inconsistent items')));
    if (!table.rows.length) {
      host.appendChild(
        el('p', { class: 'vl-muted' }, t('No paraphrase data yet: add paraphrases to items and score them with paraphrases on.')),
      );
      return;
    }
    const list = host.appendChild(el('ol', { class: 'vl-inconsistent' }));
    for (const row of table.rows) {
      const [model, language, , itemId, title, dispersion] = row;
      const li = list.appendChild(el('li'));
      const label = `${formatCell(title)} (${formatCell(itemId)})`;
      if (this.options.api) {
        const button = li.appendChild(el('button', { type: 'button', class: 'vl-link', 'data-item': String(itemId) }, label));
        button.addEventListener('click', () => this.options.api?.postMessage({ type: 'openItem', itemId: String(itemId) }));
      } else {
        li.appendChild(el('span', {}, label));
      }
      li.appendChild(
        el(
          'span',
          { class: 'vl-muted' },
          ` — ${formatCell(model)}, ${formatCell(language)}, ${t('dispersion {0}', formatMeasure(dispersion))}`,
        ),
      );
    }
  }

  private renderProgress(progress: RunProgress | null): void {
    clear(this.progress);
    const running = progress !== null && progress.running !== false;
    this.progress.hidden = !running;
    if (!running) return;
    const bar = el('progress', { max: String(Math.max(1, progress.total)), value: String(progress.done) });
    this.progress.append(
      bar,
      el(
        'span',
        {},
        ` ${t('Scoring… {0} of {1}', progress.done, progress.total)}` +
          (progress.cached ? `, ${t('{0} cached', progress.cached)}` : '') +
          (progress.failed ? `, ${t('{0} failed', progress.failed)}` : ''),
      ),
    );
  }

  private applyTheme(): void {
    this.theme = readTheme();
    this.renderAll();
    this.study.render();
  }

  // ---- toolbar ----

  private buildToolbar(): HTMLElement {
    const bar = el('div', { class: 'vl-toolbar', role: 'toolbar', 'aria-label': t('Filters') });
    const add = (key: keyof AnalysisFilter | 'focus', label: string, hiddenInReport: boolean) => {
      const id = `vl-filter-${key}`;
      const wrap = bar.appendChild(el('label', { class: 'vl-field', for: id }));
      wrap.appendChild(el('span', {}, label));
      const select = custom('vscode-single-select', { id, 'data-filter': key, 'aria-label': label });
      wrap.appendChild(select);
      if (hiddenInReport && this.options.readOnly) wrap.hidden = true;
      select.addEventListener('change', () => this.onSelect(key, (select as HTMLElement & { value: string }).value));
      this.filterSelects.set(key, { select, key: '' });
    };
    add('model', t('Model'), true);
    add('template', t('Template'), true);
    add('method', t('Method'), true);
    add('focus', t('Model shown in scatter, category and US charts'), false);
    return bar;
  }

  private renderFilters(report: AnalysisReport): void {
    const f = this.state.filter;
    const withCurrent = (values: string[], current: string | undefined) =>
      current && !values.includes(current) ? [...values, current] : values;
    this.fillSelect('model', t('All models'), withCurrent(report.models, f.model), f.model ?? '');
    this.fillSelect('template', t('All templates'), withCurrent(report.templates, f.template), f.template ?? '');
    this.fillSelect(
      'method',
      t('All methods'),
      withCurrent(report.methods.length ? report.methods : ['logprobs', 'sample'], f.method),
      f.method ?? '',
    );
    const focusChoices = f.model ? [f.model] : report.models;
    this.fillSelect('focus', '', focusChoices, this.focusModel(report) ?? '');
  }

  /** Rebuilds a select's options only when they changed (reports arrive up to 4 times a second). */
  private fillSelect(key: keyof AnalysisFilter | 'focus', allLabel: string, values: string[], selected: string): void {
    const entry = this.filterSelects.get(key);
    if (!entry) return;
    const signature = JSON.stringify([allLabel, values, selected]);
    if (entry.key === signature) return;
    entry.key = signature;
    const { select } = entry;
    clear(select);
    const choices: [string, string][] = allLabel ? [['', allLabel]] : [];
    for (const value of values) choices.push([value, value]);
    for (const [value, label] of choices) {
      const option = custom('vscode-option', { value }, label);
      if (value === selected) option.setAttribute('selected', '');
      select.appendChild(option);
    }
    select.setAttribute('data-value', selected);
  }

  private onSelect(key: keyof AnalysisFilter | 'focus', value: string): void {
    const entry = this.filterSelects.get(key);
    entry?.select.setAttribute('data-value', value);
    if (key === 'focus') {
      this.state = { ...this.state, focusModel: value || undefined };
      this.persist();
      this.renderAll();
      return;
    }
    const filter: AnalysisFilter = { ...this.state.filter };
    if (key === 'method') {
      if (value === 'logprobs' || value === 'sample' || value === 'loglik') filter.method = value;
      else delete filter.method;
    } else if (value) filter[key] = value;
    else delete filter[key];
    this.state = { ...this.state, filter };
    this.persist();
    this.options.api?.postMessage({ type: 'setFilter', filter });
  }

  // ---- sections and export ----

  private buildSection(id: ChartId): Section {
    const text = CHART_TEXT()[id];
    const root = this.charts.appendChild(
      el('section', { class: 'vl-chart', id: `vl-chart-${id}`, 'data-chart': id, 'aria-labelledby': `vl-title-${id}` }),
    );
    root.appendChild(el('h2', { id: `vl-title-${id}` }, text.title));
    root.appendChild(el('p', { class: 'vl-muted' }, text.note));
    const canvasWrap = root.appendChild(el('div', { class: 'vl-canvas' }));
    const canvas = canvasWrap.appendChild(
      el('canvas', { role: 'img', 'aria-label': `${text.aria} ${t('The same numbers are in the data table below.')}` }),
    );
    canvas.textContent = t('The data table below has the same numbers as this chart.');
    const empty = root.appendChild(el('p', { class: 'vl-empty vl-chart-empty' }));
    empty.hidden = true;
    const actions = root.appendChild(el('div', { class: 'vl-actions' }));
    const csv = actions.appendChild(custom('vscode-button', { secondary: '', 'data-export': 'csv' }, t('Export CSV')));
    const png = actions.appendChild(custom('vscode-button', { secondary: '', 'data-export': 'png' }, t('Export PNG')));
    csv.addEventListener('click', () => this.exportCsv(id));
    png.addEventListener('click', () => this.exportPng(id));
    const extra = id === 'consistency' ? root.appendChild(el('div', { class: 'vl-extra' })) : undefined;
    const details = root.appendChild(el('details', { class: 'vl-data' }));
    details.appendChild(el('summary', {}, t('Data table')));
    const table = details.appendChild(el('div'));
    const section: Section = { id, root, canvasWrap, canvas, empty, details, table: { host: table, rowLimit: TABLE_ROWS }, extra };
    details.addEventListener('toggle', () => {
      if (details.open) this.renderTable(section);
    });
    return section;
  }

  private exportCsv(id: ChartId): void {
    if (this.options.api) {
      this.options.api.postMessage({ type: 'exportCsv', chart: id });
      return;
    }
    if (!this.report) return;
    const csv = toCsv(tableToStrings(chartTable(this.report, id)));
    const url = URL.createObjectURL(new Blob([csv], { type: 'text/csv;charset=utf-8' }));
    download(url, `value-lens-${id}.csv`);
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
  }

  private exportPng(id: ChartId): void {
    const section = this.sections.get(id);
    if (!section?.chart || section.canvasWrap.hidden) {
      this.showNotice(t('This chart has nothing to export yet.'));
      return;
    }
    const dataUrl = section.canvas.toDataURL('image/png');
    if (this.options.api) this.options.api.postMessage({ type: 'exportPng', chart: id, dataUrl });
    else download(dataUrl, `value-lens-${id}.png`);
  }
}
