// The study views as chart.js configurations, built from the rows src/shared/study-tables.ts selects (so a
// chart and its data table show the same numbers). chart.js has no box plot or forest plot: boxes are
// floating bars [Q1, Q3] with whiskers, median, mean and outliers drawn by the small vlBoxes plugin below;
// the forest plot is a horizontal floating bar per CI with the estimate drawn by vlMarkers.
import type { ChartConfiguration, ChartDataset, ChartType, Plugin } from 'chart.js';
import { color as parseColor } from 'chart.js/helpers';
import type { StudyAnalysis } from '../src/core/study/analysisTypes';
import type { StudyViewId, StudyViewState } from '../src/shared/protocol';
import {
  DEFINITION_SOURCES,
  STATISTIC_LABEL,
  attributeView,
  biasView,
  categoryView,
  consistencyView,
  contrastLabel,
  contrastView,
  countryView,
  modelComparison,
  modelOrder,
  regionValue,
  regionView,
  statOf,
  distanceView,
  fitTerms,
  type BoxStats,
} from '../src/shared/study-tables';
import { Chart, baseOptions, intervalRange, type Interval } from './charts';
import type { Theme } from './theme';
import { t } from './l10n';

declare module 'chart.js' {
  // eslint-disable-next-line @typescript-eslint/no-unused-vars -- a merged declaration repeats chart.js's type parameter
  interface PluginOptionsByType<TType extends ChartType> {
    vlBoxes?: { boxes: (BoxStats | null)[][]; color: string };
    vlMarkers?: { points: (number | null)[][]; color: string; zero: boolean };
  }
}

/** Whiskers (Tukey), median line, mean diamond and outlier circles over floating [Q1, Q3] bars. */
const boxesPlugin: Plugin<'bar'> = {
  id: 'vlBoxes',
  afterDatasetsDraw(chart, _args, options: { boxes?: (BoxStats | null)[][]; color?: string }) {
    const y = chart.scales.y;
    if (!options.boxes || !y) return;
    const ctx = chart.ctx;
    ctx.save();
    const area = chart.chartArea;
    ctx.beginPath();
    ctx.rect(area.left, area.top, area.right - area.left, area.bottom - area.top);
    ctx.clip();
    ctx.strokeStyle = options.color ?? '#888';
    ctx.fillStyle = options.color ?? '#888';
    ctx.lineWidth = 1.5;
    options.boxes.forEach((boxes, datasetIndex) => {
      const meta = chart.getDatasetMeta(datasetIndex);
      if (!boxes || meta.hidden || !chart.isDatasetVisible(datasetIndex)) return;
      meta.data.forEach((element, index) => {
        const box = boxes[index];
        if (!box) return;
        const x = element.x;
        const half = ((element as unknown as { width?: number }).width ?? 12) / 2;
        const cap = half / 2;
        const py = (v: number) => y.getPixelForValue(v);
        ctx.beginPath();
        // Whiskers from the box to the last values inside 1.5 × IQR, with caps.
        ctx.moveTo(x, py(box.q3));
        ctx.lineTo(x, py(box.upperWhisker));
        ctx.moveTo(x - cap, py(box.upperWhisker));
        ctx.lineTo(x + cap, py(box.upperWhisker));
        ctx.moveTo(x, py(box.q1));
        ctx.lineTo(x, py(box.lowerWhisker));
        ctx.moveTo(x - cap, py(box.lowerWhisker));
        ctx.lineTo(x + cap, py(box.lowerWhisker));
        ctx.stroke();
        ctx.beginPath();
        ctx.lineWidth = 2.5;
        ctx.moveTo(x - half, py(box.median));
        ctx.lineTo(x + half, py(box.median));
        ctx.stroke();
        ctx.lineWidth = 1.5;
        const m = py(box.mean);
        ctx.beginPath();
        ctx.moveTo(x, m - 3);
        ctx.lineTo(x + 3, m);
        ctx.lineTo(x, m + 3);
        ctx.lineTo(x - 3, m);
        ctx.closePath();
        ctx.fill();
        for (const v of box.outliers) {
          ctx.beginPath();
          ctx.arc(x, py(v), 2.5, 0, 2 * Math.PI);
          ctx.stroke();
        }
      });
    });
    ctx.restore();
  },
};

/** Forest plot: a filled square at each estimate (horizontal bars), and a dashed line at zero. */
const markersPlugin: Plugin<'bar'> = {
  id: 'vlMarkers',
  afterDatasetsDraw(chart, _args, options: { points?: (number | null)[][]; color?: string; zero?: boolean }) {
    const x = chart.scales.x;
    if (!options.points || !x) return;
    const ctx = chart.ctx;
    const area = chart.chartArea;
    ctx.save();
    ctx.beginPath();
    ctx.rect(area.left, area.top, area.right - area.left, area.bottom - area.top);
    ctx.clip();
    if (options.zero && x.min <= 0 && x.max >= 0) {
      ctx.strokeStyle = options.color ?? '#888';
      ctx.setLineDash([4, 4]);
      ctx.beginPath();
      ctx.moveTo(x.getPixelForValue(0), area.top);
      ctx.lineTo(x.getPixelForValue(0), area.bottom);
      ctx.stroke();
      ctx.setLineDash([]);
    }
    options.points.forEach((points, datasetIndex) => {
      const meta = chart.getDatasetMeta(datasetIndex);
      if (!points || meta.hidden || !chart.isDatasetVisible(datasetIndex)) return;
      const dataset = chart.data.datasets[datasetIndex];
      ctx.fillStyle = typeof dataset.borderColor === 'string' ? dataset.borderColor : (options.color ?? '#888');
      meta.data.forEach((element, index) => {
        const v = points[index];
        if (v === null || v === undefined) return;
        ctx.fillRect(x.getPixelForValue(v) - 4, element.y - 4, 8, 8);
      });
    });
    ctx.restore();
  },
};

Chart.register(boxesPlugin, markersPlugin);

export interface StudyChartContext {
  analysis: StudyAnalysis;
  state: StudyViewState;
  theme: Theme;
}

export interface StudyChart {
  config: ChartConfiguration<'bar'>;
  /** One-sentence summary for the canvas' aria-label. */
  summary: string;
  /** A fixed height in CSS pixels for charts with one row per entry (countries, contrasts). */
  height?: number;
  /** What the note under the title says about the current slice (level, measure…). */
  slice: string;
}

/** A series colour: the theme palette, then the same hues hollow (semi-transparent fill) past its end. */
export function seriesColor(theme: Theme, index: number): { fill: string; border: string } {
  const base = theme.palette[index % theme.palette.length];
  if (index < theme.palette.length) return { fill: base, border: base };
  const parsed = parseColor(base);
  return { fill: parsed.valid ? parsed.alpha(0.35).rgbString() : base, border: base };
}

const fmt = (v: number | null | undefined): string => (v === null || v === undefined || !Number.isFinite(v) ? '–' : v.toFixed(2));

function extremes(entries: { label: string; value: number | null | undefined }[]): string {
  const values = entries.filter((e): e is { label: string; value: number } => typeof e.value === 'number' && Number.isFinite(e.value));
  if (!values.length) return t('No values.');
  const best = values.reduce((a, b) => (b.value > a.value ? b : a));
  const worst = values.reduce((a, b) => (b.value < a.value ? b : a));
  return `${values.length} values; highest ${best.label}: ${fmt(best.value)}; lowest ${worst.label}: ${fmt(worst.value)}.`;
}

function bar(
  theme: Theme,
  yTitle: string,
  bars: Interval[][],
  labels: string[],
  datasets: ChartDataset<'bar', (number | null)[]>[],
): ChartConfiguration<'bar'> {
  return { type: 'bar', data: { labels, datasets }, options: baseOptions(theme, yTitle, bars) };
}

/** A horizontal chart (one row per label) with CIs along x. */
function horizontal(
  theme: Theme,
  xTitle: string,
  bars: Interval[][],
  labels: string[],
  datasets: ChartDataset<'bar', unknown[]>[],
): ChartConfiguration<'bar'> {
  const options = baseOptions(theme, '', undefined) ?? {};
  return {
    type: 'bar',
    data: { labels, datasets: datasets as ChartDataset<'bar', (number | null)[]>[] },
    options: {
      ...options,
      indexAxis: 'y',
      maintainAspectRatio: false,
      scales: {
        x: {
          ...intervalRange(bars),
          title: { display: true, text: xTitle, color: theme.foreground },
          ticks: { color: theme.foreground },
          grid: { color: theme.grid },
        },
        y: { ticks: { color: theme.foreground, autoSkip: false }, grid: { color: theme.grid } },
      },
      plugins: { ...options.plugins, vlErrorBars: { bars, color: theme.foreground, horizontal: true } },
    },
  };
}

const rowHeight = (rows: number): number => Math.max(220, rows * 18 + 90);
const ciOf = (e: { ci: [number, number] | null } | null | undefined): Interval => e?.ci ?? null;

/** Model vs model per language (the second seed's figure): one bar group per language × reference. */
function modelsChart({ analysis, state, theme }: StudyChartContext): StudyChart {
  const view = modelComparison(analysis, state);
  const order = modelOrder(analysis);
  const bars: Interval[][] = [];
  const entries: { label: string; value: number | null | undefined }[] = [];
  const datasets = view.models.map((model) => {
    const cells = view.groups.map((g) =>
      view.rows.find((r) => r.model === model && r.language === g.language && r.reference === g.reference),
    );
    const stats = cells.map((row) => (row ? statOf(row, view.statistic) : null));
    bars.push(stats.map(ciOf));
    stats.forEach((s, i) => entries.push({ label: `${model} for ${view.groups[i].label}`, value: s?.estimate }));
    const { fill, border } = seriesColor(theme, order.indexOf(model));
    return { label: model, data: stats.map((s) => s?.estimate ?? null), backgroundColor: fill, borderColor: border, borderWidth: 1 };
  });
  return {
    config: bar(
      theme,
      t('{0} with human data', STATISTIC_LABEL[view.statistic]),
      bars,
      view.groups.map((g) => g.label),
      datasets,
    ),
    summary: extremes(entries),
    slice: `${t('{0} level', view.level ?? '–')}, ${t('{0} measure', view.measure ?? '–')}, ${view.reference === 'all' ? t('all references') : view.reference === 'pooled' ? t('pooled language references') : t('single-country references')}, ${STATISTIC_LABEL[view.statistic]}.`,
  };
}

/** Country → M49 region, from the analysis' own region rows. */
function regionOfCountry(analysis: StudyAnalysis): Map<string, string> {
  const map = new Map<string, string>();
  for (const row of analysis.regions) if (row.scheme === 'region') for (const c of row.countries) map.set(c, row.region);
  return map;
}

/** r per country cue, sorted (the first seed): one horizontal bar per country, coloured by region. */
function countriesChart({ analysis, state, theme }: StudyChartContext): StudyChart {
  const view = countryView(analysis, state);
  const regionOf = regionOfCountry(analysis);
  const labels = view.rows.map((r) => (r.country === null ? `${r.reference} (no cue)` : r.reference));
  const regions = [...new Set(view.rows.map((r) => regionOf.get(r.reference) ?? 'Other'))];
  const bars: Interval[][] = [];
  const datasets = regions.map((region, i) => {
    const stats = view.rows.map((r) => ((regionOf.get(r.reference) ?? 'Other') === region ? statOf(r, view.statistic) : null));
    bars.push(stats.map(ciOf));
    const { fill, border } = seriesColor(theme, i);
    return {
      label: region,
      data: stats.map((s) => s?.estimate ?? null),
      backgroundColor: fill,
      borderColor: border,
      borderWidth: 1,
      grouped: false,
      skipNull: true,
    };
  });
  return {
    config: horizontal(theme, t("{0} with the country's human data", STATISTIC_LABEL[view.statistic]), bars, labels, datasets),
    summary: extremes(view.rows.map((r, i) => ({ label: labels[i], value: statOf(r, view.statistic)?.estimate }))),
    height: rowHeight(view.rows.length),
    slice: `${view.model ?? '–'}, ${t('prompts in {0}', view.language ?? '–')}, ${t('{0} level', view.level ?? '–')}, ${t('{0} measure', view.measure ?? '–')}, ${t('sorted by {0}', STATISTIC_LABEL[view.statistic])}.`,
  };
}

/** Per-region means of the per-country figures: one bar group per region, one bar per model. */
function regionsChart({ analysis, state, theme }: StudyChartContext): StudyChart {
  const view = regionView(analysis, state);
  const order = modelOrder(analysis);
  const entries: { label: string; value: number | null }[] = [];
  const datasets = view.models.map((model) => {
    const values = view.regions.map((region) => {
      const row = view.rows.find((r) => r.model === model && r.region === region);
      const v = row ? regionValue(row, view.statistic) : null;
      entries.push({ label: `${model} in ${region}`, value: v });
      return v;
    });
    const { fill, border } = seriesColor(theme, order.indexOf(model));
    return { label: model, data: values, backgroundColor: fill, borderColor: border, borderWidth: 1 };
  });
  return {
    config: bar(theme, t("Mean {0} over the region's countries", STATISTIC_LABEL[view.statistic]), [], view.regions, datasets),
    summary: extremes(entries),
    slice: `${t('Prompts in {0}', view.language ?? '–')}, ${t('{0} measure', view.measure ?? '–')}, ${view.scheme === 'region' ? t('UN M49 regions') : t('UN M49 sub-regions')}, ${t('{0} level', 'item')}.`,
  };
}

/** Per category, the distribution over countries of each model's per-country figure. */
function categoriesChart({ analysis, state, theme }: StudyChartContext): StudyChart {
  const view = categoryView(analysis, state);
  const order = modelOrder(analysis);
  const boxes: (BoxStats | null)[][] = [];
  const all: number[] = [];
  const entries: { label: string; value: number | null }[] = [];
  const datasets = view.models.map((model) => {
    const stats = view.categories.map((category) => view.boxes.find((b) => b.model === model && b.category === category)?.stats ?? null);
    boxes.push(stats);
    stats.forEach((s, i) => {
      if (s) all.push(s.min, s.max);
      entries.push({ label: t('median of {0} in {1}', model, String(view.categories[i])), value: s?.median ?? null });
    });
    const { fill, border } = seriesColor(theme, order.indexOf(model));
    return {
      label: model,
      data: stats.map((s) => (s ? ([s.q1, s.q3] as [number, number]) : null)),
      backgroundColor: fill,
      borderColor: border,
      borderWidth: 1,
    };
  });
  const config = bar(
    theme,
    `Per-country ${STATISTIC_LABEL[view.statistic]}`,
    [],
    view.categories,
    datasets as unknown as ChartDataset<'bar', (number | null)[]>[],
  );
  const range = all.length ? { suggestedMin: Math.min(...all), suggestedMax: Math.max(...all) } : {};
  config.options = {
    ...config.options,
    scales: { ...config.options?.scales, y: { ...config.options?.scales?.y, ...range } },
    plugins: { ...config.options?.plugins, vlBoxes: { boxes, color: theme.foreground } },
  };
  return {
    config,
    summary: extremes(entries),
    slice: `${t('Prompts in {0}', view.language ?? '–')}, ${t('{0} level', view.level ?? '–')}, ${t('{0} measure', view.measure ?? '–')}; ${t('box = Q1–Q3 (R type 7), line = median, ◆ = mean, whiskers to the last country within 1.5 × IQR, ○ = outliers.')}`,
  };
}

/** Forest plot of paired differences with their CIs; squares filled where Holm-adjusted p < 0.05. */
function contrastsChart({ analysis, state, theme }: StudyChartContext): StudyChart {
  const view = contrastView(analysis, state);
  const labels = view.rows.map(contrastLabel);
  const significant = (p: number | null | undefined) => p !== null && p !== undefined && p < 0.05;
  const groups = [
    { label: t('Holm-adjusted p < 0.05'), test: (p: number | null | undefined) => significant(p), colour: seriesColor(theme, 0) },
    {
      label: 'not significant after Holm',
      test: (p: number | null | undefined) => !significant(p),
      colour: { fill: theme.muted, border: theme.muted },
    },
  ];
  const points: (number | null)[][] = [];
  const bars: Interval[][] = [];
  const datasets = groups.map((g) => {
    const mine = view.rows.map((r) => g.test(r.difference.pHolm ?? r.difference.p));
    points.push(view.rows.map((r, i) => (mine[i] ? r.difference.estimate : null)));
    bars.push(view.rows.map((r, i) => (mine[i] ? (r.difference.ci ?? [r.difference.estimate, r.difference.estimate]) : null)));
    return {
      label: g.label,
      data: view.rows.map((r, i) => (mine[i] ? (r.difference.ci ?? [r.difference.estimate, r.difference.estimate]) : null)),
      backgroundColor: g.colour.fill,
      borderColor: g.colour.border,
      barThickness: 2,
      grouped: false,
      skipNull: true,
    };
  });
  const config = horizontal(
    theme,
    t('Difference in {0} (A − B)', view.statistic ? STATISTIC_LABEL[view.statistic] : t('alignment')),
    bars,
    labels,
    datasets as ChartDataset<'bar', unknown[]>[],
  );
  // The floating bars are the CIs already; whiskers would only add caps, which read well on a forest plot.
  config.options = {
    ...config.options,
    plugins: { ...config.options?.plugins, vlMarkers: { points, color: theme.foreground, zero: true } },
  };
  return {
    config,
    summary: extremes(view.rows.map((r, i) => ({ label: labels[i], value: r.difference.estimate }))),
    height: rowHeight(view.rows.length),
    slice: `${view.factor === 'all' ? t('All factors') : t('Factor {0}', String(view.factor))}, ${t('{0} measure', view.measure ?? '–')}, ${view.statistic ? STATISTIC_LABEL[view.statistic] : '–'}; ${t('bars are 95% bootstrap CIs.')}`,
  };
}

/** Both definitions side by side per language, for one model. */
function definitionsChart(
  theme: Theme,
  languages: string[],
  definitions: readonly string[],
  find: (language: string, definition: string) => { estimate: number; ci: [number, number] | null } | null | undefined,
  yTitle: string,
): { config: ChartConfiguration<'bar'>; summary: string } {
  const bars: Interval[][] = [];
  const entries: { label: string; value: number | null | undefined }[] = [];
  const datasets = definitions.map((definition, i) => {
    const values = languages.map((language) => find(language, definition));
    bars.push(values.map((v) => v?.ci ?? null));
    values.forEach((v, j) => entries.push({ label: `${definition} for ${languages[j]}`, value: v?.estimate }));
    const { fill, border } = seriesColor(theme, i);
    return {
      label: `${definition} (${DEFINITION_SOURCES[definition as keyof typeof DEFINITION_SOURCES].split(':')[0]})`,
      data: values.map((v) => v?.estimate ?? null),
      backgroundColor: fill,
      borderColor: border,
      borderWidth: 1,
    };
  });
  return { config: bar(theme, yTitle, bars, languages, datasets), summary: extremes(entries) };
}

function consistencyChart({ analysis, state, theme }: StudyChartContext): StudyChart {
  const view = consistencyView(analysis, state);
  const chart = definitionsChart(
    theme,
    view.languages,
    ['paraphrase-vectors', 'response-pairs'],
    (l, d) => view.rows.find((r) => r.language === l && r.definition === d)?.value,
    t('Self-consistency'),
  );
  return { ...chart, slice: `${view.model ?? '–'}: ${t('both definitions per language.')}` };
}

function biasChart({ analysis, state, theme }: StudyChartContext): StudyChart {
  const view = biasView(analysis, state);
  const chart = definitionsChart(
    theme,
    view.languages,
    ['item-pearson', 'response-spearman'],
    (l, d) => view.rows.find((r) => r.language === l && r.definition === d)?.difference,
    'US − local',
  );
  return { ...chart, slice: `${view.model ?? '–'}: ${t('US − local in both definitions; positive = closer to US answers.')}` };
}

/** Alignment grouped by a model attribute (chat vs base, family, size), per language. */
function attributesChart({ analysis, state, theme }: StudyChartContext): StudyChart {
  const view = attributeView(analysis, state);
  const entries: { label: string; value: number | null }[] = [];
  const datasets = view.values.map((value, i) => {
    const data = view.languages.map((language) => {
      const row = view.rows.find((r) => r.language === language && String(r.value) === value);
      const v = row ? (view.statistic === 'pearson' ? row.meanPearson : row.meanSpearman) : null;
      entries.push({ label: `${view.attribute} = ${value} for ${language}`, value: v });
      return v;
    });
    const { fill, border } = seriesColor(theme, i);
    return { label: `${view.attribute} = ${value}`, data, backgroundColor: fill, borderColor: border, borderWidth: 1 };
  });
  return {
    config: bar(theme, t("Mean {0} over the group's models", STATISTIC_LABEL[view.statistic]), [], view.languages, datasets),
    summary: extremes(entries),
    slice: `${t('Grouped by {0}', view.attribute ?? '–')}${view.measure ? `, ${t('{0} measure', view.measure)}` : ''}.`,
  };
}

/** Mean Jensen–Shannon distance to the human distribution per model and language, and the uniform baseline. */
function distancesChart({ analysis, theme }: StudyChartContext): StudyChart {
  const view = distanceView(analysis);
  const order = modelOrder(analysis);
  const entries: { label: string; value: number | null }[] = [];
  const meanOf = (rows: { items: number; value: number }[]): number | null => {
    const items = rows.reduce((s, r) => s + r.items, 0);
    return items ? rows.reduce((s, r) => s + r.items * r.value, 0) / items : null;
  };
  const datasets = view.models.map((model) => {
    const data = view.languages.map((language) => {
      const v = meanOf(
        view.rows.filter((r) => r.model === model && r.language === language).map((r) => ({ items: r.items, value: r.jsd })),
      );
      entries.push({ label: `${model} for ${language}`, value: v });
      return v;
    });
    const { fill, border } = seriesColor(theme, order.indexOf(model));
    return { label: model, data, backgroundColor: fill, borderColor: border, borderWidth: 1 };
  });
  const uniform = view.languages.map((language) =>
    meanOf(view.rows.filter((r) => r.language === language).map((r) => ({ items: r.items, value: r.uniformJsd }))),
  );
  datasets.push({
    label: 'uniform answers (baseline)',
    data: uniform,
    backgroundColor: theme.muted,
    borderColor: theme.muted,
    borderWidth: 1,
  });
  return {
    config: bar(theme, t('Mean JSD (lower = closer)'), [], view.languages, datasets),
    summary: extremes(entries),
    slice: t('Mean over items (weighted by items per reference) of the distance between the model’s and the human answer distribution.'),
  };
}

/** Coefficient plot of every fit's fixed effects with Wald 95% intervals (estimate ± 1.96 SE). */
function fitsChart({ analysis, theme }: StudyChartContext): StudyChart {
  const terms = fitTerms(analysis.fits);
  const labels = terms.map((t) => (analysis.fits.length > 1 ? `${t.fit}: ${t.term}` : t.term));
  const bars: Interval[][] = [terms.map((t) => t.ci)];
  const { fill, border } = seriesColor(theme, 0);
  const datasets = [
    { label: 'fixed effect', data: terms.map((t) => t.estimate), backgroundColor: fill, borderColor: border, borderWidth: 1 },
  ];
  return {
    config: horizontal(theme, t('Estimate (± 1.96 SE)'), bars, labels, datasets),
    summary: extremes(terms.map((t, i) => ({ label: labels[i], value: t.estimate }))),
    height: rowHeight(terms.length),
    slice: analysis.fits.map((f) => `${f.name}: ${f.formula} (n = ${f.n})`).join('; '),
  };
}

/**
 * Position bias (src/core/study/positions.ts): per model × language, the share of probability on each shown
 * position (one dataset per position, 95% item-bootstrap CIs), against the uniform 1/K in the note.
 */
function positionsChart({ analysis, theme }: StudyChartContext): StudyChart {
  const rows = analysis.positionBias ?? [];
  const labels = rows.map((r) => `${r.model} · ${r.language}${rows.some((o) => o.k !== r.k) ? ` (K=${r.k})` : ''}`);
  const positions = Math.max(0, ...rows.map((r) => r.k));
  const bars: Interval[][] = [];
  const entries: { label: string; value: number | null }[] = [];
  const datasets = Array.from({ length: positions }, (_, j) => {
    const shares = rows.map((r) => r.positions[j]?.share ?? null);
    bars.push(shares.map((s) => s?.ci ?? null));
    const data = shares.map((s, i) => {
      const v = s?.estimate ?? null;
      entries.push({ label: `position ${j + 1} for ${labels[i]}`, value: v });
      return v;
    });
    const { fill, border } = seriesColor(theme, j);
    return { label: `position ${j + 1}`, data, backgroundColor: fill, borderColor: border, borderWidth: 1 };
  });
  const uniform = [...new Set(rows.map((r) => r.uniform.toFixed(3)))].join(', ');
  return {
    config: bar(theme, t('Share of probability on the position'), bars, labels, datasets),
    summary: extremes(entries),
    slice: t('Uniform (position-blind) share 1/K = {0}; total variation from uniform in the table.', uniform || '–'),
  };
}

/** First token vs text (src/core/study/firstToken.ts): agreement of the first-token argmax with the text answer. */
function firstTokenChart({ analysis, theme }: StudyChartContext): StudyChart {
  const rows = analysis.firstTokenText ?? [];
  const labels = rows.map((r) => `${r.model} · ${r.language}`);
  const { fill, border } = seriesColor(theme, 0);
  const data = rows.map((r) => r.agreement);
  return {
    config: bar(theme, t('Agreement (share of pairs)'), [], labels, [
      { label: 'agreement', data, backgroundColor: fill, borderColor: border, borderWidth: 1 },
    ]),
    summary: extremes(rows.map((r, i) => ({ label: labels[i], value: r.agreement }))),
    slice: t(
      '{0} pairs; {1} disagreeing conditions (items in the table).',
      rows.reduce((n, r) => n + r.pairs, 0),
      rows.reduce((n, r) => n + r.disagreements.length, 0),
    ),
  };
}

export const STUDY_CHARTS: Record<StudyViewId, (context: StudyChartContext) => StudyChart> = {
  'study-models': modelsChart,
  'study-countries': countriesChart,
  'study-regions': regionsChart,
  'study-categories': categoriesChart,
  'study-contrasts': contrastsChart,
  'study-consistency': consistencyChart,
  'study-bias': biasChart,
  'study-attributes': attributesChart,
  'study-distances': distancesChart,
  'study-fits': fitsChart,
  'study-positions': positionsChart,
  'study-first-token': firstTokenChart,
};
