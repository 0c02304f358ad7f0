// The five panel charts as chart.js configurations built from an AnalysisReport. Only the controllers,
// scales and elements used here are registered (no chart.js/auto), which keeps the bundle small.
import {
  BarController,
  BarElement,
  CategoryScale,
  Chart,
  Legend,
  LinearScale,
  PointElement,
  LineElement,
  ScatterController,
  Tooltip,
  type ChartConfiguration,
  type ChartDataset,
  type ChartType,
  type Plugin,
  type PointStyle,
  type TooltipItem,
} from 'chart.js';
import type { AnalysisReport } from '../src/core/analysis';
import type { ChartId } from '../src/shared/protocol';
import type { Theme } from './theme';
import { t } from './l10n';

export type Interval = [number, number] | null;

declare module 'chart.js' {
  // Options of this file's two plugins, typed so configurations stay checked.
  // eslint-disable-next-line @typescript-eslint/no-unused-vars -- a merged declaration repeats chart.js's type parameter
  interface PluginOptionsByType<TType extends ChartType> {
    vlErrorBars?: { bars: Interval[][]; color: string; horizontal?: boolean };
    vlBackground?: { color: string };
  }
}

/**
 * Draws 95% CIs as whiskers over bars; one array of intervals per dataset, aligned with its data. With
 * `horizontal` (bars along x, indexAxis 'y') the whiskers run along x.
 */
const errorBarsPlugin: Plugin<'bar'> = {
  id: 'vlErrorBars',
  afterDatasetsDraw(chart, _args, options: { bars?: Interval[][]; color?: string; horizontal?: boolean }) {
    const bars = options.bars;
    const scale = options.horizontal ? chart.scales.x : chart.scales.y;
    if (!bars || !scale) return;
    const ctx = chart.ctx;
    ctx.save();
    // Never draw over the legend or the axes, even if a scale was fixed by hand.
    const area = chart.chartArea;
    ctx.beginPath();
    ctx.rect(area.left, area.top, area.right - area.left, area.bottom - area.top);
    ctx.clip();
    ctx.strokeStyle = options.color ?? '#888';
    ctx.lineWidth = 1.5;
    bars.forEach((intervals, datasetIndex) => {
      const meta = chart.getDatasetMeta(datasetIndex);
      if (!intervals || meta.hidden || !chart.isDatasetVisible(datasetIndex)) return;
      meta.data.forEach((element, index) => {
        const ci = intervals[index];
        if (!ci) return;
        const size = (element as unknown as { width?: number; height?: number })[options.horizontal ? 'height' : 'width'] ?? 12;
        const cap = Math.max(2, Math.min(6, size / 4));
        const low = scale.getPixelForValue(ci[0]);
        const high = scale.getPixelForValue(ci[1]);
        ctx.beginPath();
        if (options.horizontal) {
          const y = element.y;
          ctx.moveTo(low, y);
          ctx.lineTo(high, y);
          ctx.moveTo(low, y - cap);
          ctx.lineTo(low, y + cap);
          ctx.moveTo(high, y - cap);
          ctx.lineTo(high, y + cap);
        } else {
          const x = element.x;
          ctx.moveTo(x, high);
          ctx.lineTo(x, low);
          ctx.moveTo(x - cap, high);
          ctx.lineTo(x + cap, high);
          ctx.moveTo(x - cap, low);
          ctx.lineTo(x + cap, low);
        }
        ctx.stroke();
      });
    });
    ctx.restore();
  },
};

/** Paints the theme background under the chart so PNG exports are readable on any viewer. */
const backgroundPlugin: Plugin = {
  id: 'vlBackground',
  beforeDraw(chart, _args, options: { color?: string }) {
    if (!options.color) return;
    const ctx = chart.ctx;
    ctx.save();
    ctx.globalCompositeOperation = 'destination-over';
    ctx.fillStyle = options.color;
    ctx.fillRect(0, 0, chart.width, chart.height);
    ctx.restore();
  },
};

Chart.register(
  BarController,
  BarElement,
  ScatterController,
  PointElement,
  LineElement,
  LinearScale,
  CategoryScale,
  Legend,
  Tooltip,
  errorBarsPlugin,
  backgroundPlugin,
);

export { Chart };

/** Point styles vary by language so the scatter does not rely on colour alone. */
const POINT_STYLES: PointStyle[] = ['circle', 'triangle', 'rect', 'rectRot', 'star', 'crossRot', 'cross', 'rectRounded'];

export interface ChartContext {
  report: AnalysisReport;
  /** The one model the scatter, category and bias charts show. */
  focusModel: string | undefined;
  theme: Theme;
}

export function languageStyle(report: AnalysisReport, theme: Theme, language: string): { color: string; pointStyle: PointStyle } {
  const index = Math.max(0, report.languages.indexOf(language));
  return { color: theme.palette[index % theme.palette.length], pointStyle: POINT_STYLES[index % POINT_STYLES.length] };
}

const fmt = (value: number | null | undefined, digits = 2): string =>
  value === null || value === undefined || !Number.isFinite(value) ? '–' : value.toFixed(digits);

function uniq(values: string[]): string[] {
  return [...new Set(values)];
}

/** The y range the whiskers need: the bars alone may span far less (r's CIs stay in [−1, 1]; a difference of two r's may not). */
export function intervalRange(errorBars: Interval[][] | undefined): { suggestedMin?: number; suggestedMax?: number } {
  const ends = (errorBars ?? [])
    .flat()
    .flatMap((ci) => (ci ? [ci[0], ci[1]] : []))
    .filter((v) => Number.isFinite(v));
  if (ends.length === 0) return {};
  return { suggestedMin: Math.min(0, ...ends), suggestedMax: Math.max(0, ...ends) };
}

export function baseOptions(theme: Theme, yTitle: string, errorBars?: Interval[][]): ChartConfiguration<'bar'>['options'] {
  return {
    animation: false,
    responsive: true,
    maintainAspectRatio: true,
    aspectRatio: 2,
    color: theme.foreground,
    font: { family: theme.fontFamily },
    scales: {
      x: { ticks: { color: theme.foreground }, grid: { color: theme.grid } },
      y: {
        ...intervalRange(errorBars),
        title: { display: true, text: yTitle, color: theme.foreground },
        ticks: { color: theme.foreground },
        grid: { color: theme.grid },
      },
    },
    plugins: {
      legend: { labels: { color: theme.foreground } },
      vlErrorBars: { bars: errorBars ?? [], color: theme.foreground },
      vlBackground: { color: theme.background },
    },
  };
}

/** (a) Pearson r with the local human data: one bar group per model, one bar per language, 95% CI whiskers. */
export function correlationConfig({ report, theme }: ChartContext): ChartConfiguration<'bar'> {
  const models = uniq(report.alignment.map((row) => row.model));
  const languages = uniq(report.alignment.map((row) => row.language));
  const bars: Interval[][] = [];
  const datasets: ChartDataset<'bar', (number | null)[]>[] = languages.map((language) => {
    const rows = models.map((model) => report.alignment.find((row) => row.model === model && row.language === language));
    bars.push(
      rows.map((row) =>
        row?.pearson && row.pearson.ciLow !== null && row.pearson.ciHigh !== null ? [row.pearson.ciLow, row.pearson.ciHigh] : null,
      ),
    );
    const { color } = languageStyle(report, theme, language);
    const country = rows.find((row) => row)?.country;
    return {
      label: country ? `${language} (${country})` : language,
      data: rows.map((row) => row?.pearson?.estimate ?? null),
      backgroundColor: color,
      borderColor: color,
    };
  });
  const options = baseOptions(theme, t('Pearson r with human data'), bars);
  return { type: 'bar', data: { labels: models, datasets }, options };
}

/** (b) Model mean vs human mean per item for one model: a dataset per language, r in the legend, y = x. */
export function scatterConfig({ report, theme, focusModel }: ChartContext): ChartConfiguration<'scatter'> {
  const series = report.scatter.filter((s) => s.model === focusModel);
  let low = Infinity;
  let high = -Infinity;
  const datasets: ChartDataset<'scatter'>[] = series.map((s) => {
    const { color, pointStyle } = languageStyle(report, theme, s.language);
    const r = report.alignment.find((row) => row.model === s.model && row.language === s.language)?.pearson?.estimate;
    const data = s.points.map((p) => {
      low = Math.min(low, p.humanScore, p.modelScore);
      high = Math.max(high, p.humanScore, p.modelScore);
      return { x: p.humanScore, y: p.modelScore, title: p.title };
    });
    return {
      label: `${s.language} (${s.country}) r = ${fmt(r)}`,
      data,
      backgroundColor: color,
      borderColor: color,
      pointStyle,
      pointRadius: 3.5,
    };
  });
  if (Number.isFinite(low)) {
    datasets.push({
      label: 'y = x',
      data: [
        { x: low, y: low },
        { x: high, y: high },
      ],
      showLine: true,
      pointRadius: 0,
      borderColor: theme.muted,
      borderDash: [4, 4],
      borderWidth: 1,
    });
  }
  const options = baseOptions(theme, t('Model score')) as ChartConfiguration<'scatter'>['options'] & object;
  return {
    type: 'scatter',
    data: { datasets },
    options: {
      ...options,
      aspectRatio: 1.4,
      scales: {
        x: {
          type: 'linear',
          title: { display: true, text: t('Human score'), color: theme.foreground },
          ticks: { color: theme.foreground },
          grid: { color: theme.grid },
        },
        y: {
          type: 'linear',
          title: { display: true, text: t('Model score'), color: theme.foreground },
          ticks: { color: theme.foreground },
          grid: { color: theme.grid },
        },
      },
      plugins: {
        ...options.plugins,
        legend: { labels: { color: theme.foreground, usePointStyle: true } },
        tooltip: {
          callbacks: {
            label: (item: TooltipItem<'scatter'>) => {
              const raw = item.raw as { x: number; y: number; title?: string };
              return `${raw.title ?? ''} human ${fmt(raw.x)}, model ${fmt(raw.y)}`.trim();
            },
          },
        },
      },
    },
  };
}

/** (c) Mean pairwise Spearman across paraphrases, per language; one bar per model (and template). */
export function consistencyConfig({ report, theme }: ChartContext): ChartConfiguration<'bar'> {
  const languages = uniq(report.consistency.map((row) => row.language));
  const templates = uniq(report.consistency.map((row) => row.template));
  const keys = uniq(report.consistency.map((row) => `${row.model}\u0000${row.template}`));
  const datasets: ChartDataset<'bar', (number | null)[]>[] = keys.map((key, index) => {
    const [model, template] = key.split('\u0000');
    const color = theme.palette[index % theme.palette.length];
    return {
      label: templates.length > 1 ? `${model} · ${template}` : model,
      data: languages.map(
        (language) =>
          report.consistency.find((row) => row.model === model && row.template === template && row.language === language)?.meanSpearman ??
          null,
      ),
      backgroundColor: color,
      borderColor: color,
    };
  });
  return { type: 'bar', data: { labels: languages, datasets }, options: baseOptions(theme, t('Mean pairwise Spearman ρ')) };
}

/** (d) Alignment per item category for one model: a bar per language within each category. */
export function categoryConfig({ report, theme, focusModel }: ChartContext): ChartConfiguration<'bar'> {
  const rows = report.byCategory.filter((row) => row.model === focusModel);
  const categories = uniq(rows.map((row) => row.category));
  const languages = uniq(rows.map((row) => row.language));
  const bars: Interval[][] = [];
  const datasets: ChartDataset<'bar', (number | null)[]>[] = languages.map((language) => {
    const cells = categories.map((category) => rows.find((row) => row.category === category && row.language === language));
    bars.push(
      cells.map((row) =>
        row?.pearson && row.pearson.ciLow !== null && row.pearson.ciHigh !== null ? [row.pearson.ciLow, row.pearson.ciHigh] : null,
      ),
    );
    const { color } = languageStyle(report, theme, language);
    return { label: language, data: cells.map((row) => row?.pearson?.estimate ?? null), backgroundColor: color, borderColor: color };
  });
  return { type: 'bar', data: { labels: categories, datasets }, options: baseOptions(theme, t('Pearson r with human data'), bars) };
}

/** (e) Alignment with the local vs the US reference per language for one model, and their difference. */
export function biasConfig({ report, theme, focusModel }: ChartContext): ChartConfiguration<'bar'> {
  const rows = report.usBias.filter((row) => row.model === focusModel);
  const labels = rows.map((row) => `${row.language} (${row.localCountry})`);
  const [local, us, diff] = [theme.palette[0], theme.palette[1], theme.palette[3 % theme.palette.length]];
  const datasets: ChartDataset<'bar', (number | null)[]>[] = [
    { label: t('Local reference r'), data: rows.map((row) => row.localR), backgroundColor: local, borderColor: local },
    { label: t('US reference r'), data: rows.map((row) => row.usR), backgroundColor: us, borderColor: us },
    { label: t('US − local'), data: rows.map((row) => row.difference), backgroundColor: diff, borderColor: diff },
  ];
  const bars: Interval[][] = [[], [], rows.map((row) => (row.ciLow !== null && row.ciHigh !== null ? [row.ciLow, row.ciHigh] : null))];
  return { type: 'bar', data: { labels, datasets }, options: baseOptions(theme, t('Pearson r'), bars) };
}

export const CHART_BUILDERS: Record<ChartId, (context: ChartContext) => ChartConfiguration<'bar'> | ChartConfiguration<'scatter'>> = {
  correlation: correlationConfig,
  scatter: scatterConfig,
  consistency: consistencyConfig,
  category: categoryConfig,
  bias: biasConfig,
};

/** Whether a configuration has anything to draw (else the chart shows its empty state). */
export function hasData(config: ChartConfiguration<'bar'> | ChartConfiguration<'scatter'>): boolean {
  return config.data.datasets.some((dataset) => (dataset.data as unknown[]).some((value) => value !== null && value !== undefined));
}

/** A one-sentence summary of what a chart currently shows, appended to its aria-label. */
export function describeChart(config: ChartConfiguration<'bar'> | ChartConfiguration<'scatter'>): string {
  if (config.type === 'scatter') {
    const series = config.data.datasets.filter((d) => d.label !== 'y = x');
    const points = series.reduce((sum, d) => sum + d.data.length, 0);
    return t('{0} points in {1} series: {2}.', points, series.length, series.map((d) => d.label).join('; '));
  }
  const labels = (config.data.labels ?? []) as string[];
  let best: { value: number; text: string } | undefined;
  let worst: { value: number; text: string } | undefined;
  let count = 0;
  for (const dataset of config.data.datasets) {
    (dataset.data as (number | null)[]).forEach((value, index) => {
      if (typeof value !== 'number' || !Number.isFinite(value)) return;
      count++;
      const text = t('{0} for {1}: {2}', String(dataset.label), String(labels[index]), value.toFixed(2));
      if (!best || value > best.value) best = { value, text };
      if (!worst || value < worst.value) worst = { value, text };
    });
  }
  if (!best || !worst) return t('No values.');
  return t('{0} values; highest {1}; lowest {2}.', count, best.text, worst.text);
}
