import type { EpochRecord, TrainProgress } from '../trainer.ts';

/** What a report shows: the per-epoch history, optional per-window losses, the run's settings and a summary. */
export interface ReportInput {
  readonly title: string;
  readonly history: readonly EpochRecord[];
  /** Training loss after each window (mean of the epoch so far), for the fine-grained curve. */
  readonly windows?: readonly Pick<TrainProgress, 'epoch' | 'window' | 'windowsPerEpoch' | 'loss'>[];
  /** Settings shown as a table (options, model shape, data sizes). */
  readonly settings: Readonly<Record<string, unknown>>;
  /** Free lines shown under the title (outcome, time, output file). */
  readonly summary: readonly string[];
  /** True for softmax heads: perplexity = exp(loss) is plotted too. */
  readonly perplexity: boolean;
}

/**
 * A self-contained HTML page (no scripts, no external files) with the loss
 * and perplexity curves as inline SVG and the run's settings. Cold path.
 */
export function renderHtmlReport(input: ReportInput): string {
  const epochs = input.history.map((r) => r.epoch);
  const lossSeries = [
    { name: 'train loss', color: '#1f77b4', x: epochs, y: input.history.map((r) => r.trainLoss) },
    { name: 'validation loss', color: '#d62728', x: epochs, y: input.history.map((r) => r.validLoss) },
  ];
  const charts = [chart('Loss per token by epoch', 'epoch', lossSeries)];
  if (input.perplexity) {
    charts.push(
      chart('Perplexity by epoch', 'epoch', lossSeries.map((s) => ({ ...s, name: s.name.replace('loss', 'perplexity'), y: s.y.map(Math.exp) }))),
    );
  }
  if (input.windows && input.windows.length > 1) {
    const w = input.windows;
    charts.push(
      chart('Training loss (running epoch mean) by window', 'epoch', [
        { name: 'train loss', color: '#1f77b4', x: w.map((p) => p.epoch - 1 + p.window / p.windowsPerEpoch), y: w.map((p) => p.loss) },
      ]),
    );
  }
  const rows = input.history
    .map(
      (r) =>
        `<tr><td>${r.epoch}</td><td>${r.trainLoss.toFixed(4)}</td><td>${r.validLoss.toFixed(4)}</td>` +
        (input.perplexity ? `<td>${Math.exp(r.validLoss).toFixed(2)}</td>` : '') +
        `<td>${r.learningRate.toPrecision(3)}</td><td>${r.seconds.toFixed(1)}</td><td>${r.tokensPerSecond.toFixed(0)}</td></tr>`,
    )
    .join('\n');
  const settings = Object.entries(input.settings)
    .map(([k, v]) => `<tr><th>${escapeHtml(k)}</th><td>${escapeHtml(typeof v === 'string' ? v : JSON.stringify(v))}</td></tr>`)
    .join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(input.title)}</title>
<style>body{font:14px/1.4 system-ui,sans-serif;margin:2em;max-width:960px}table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:2px 8px;text-align:right}th{text-align:left}svg{display:block;margin:1em 0}</style>
</head><body>
<h1>${escapeHtml(input.title)}</h1>
${input.summary.map((line) => `<p>${escapeHtml(line)}</p>`).join('\n')}
${charts.join('\n')}
<h2>Epochs</h2>
<table><tr><th>epoch</th><th>train loss</th><th>validation loss</th>${input.perplexity ? '<th>validation perplexity</th>' : ''}<th>learning rate</th><th>seconds</th><th>tokens/s</th></tr>
${rows}
</table>
<h2>Settings</h2>
<table>
${settings}
</table>
</body></html>
`;
}

interface Series {
  readonly name: string;
  readonly color: string;
  readonly x: readonly number[];
  readonly y: readonly number[];
}

/** One line chart as an inline SVG element with axes, ticks and a legend. */
function chart(title: string, xLabel: string, series: readonly Series[]): string {
  const width = 720;
  const height = 300;
  const left = 60;
  const right = 20;
  const top = 30;
  const bottom = 40;
  const xs = series.flatMap((s) => s.x);
  const ys = series.flatMap((s) => s.y).filter(Number.isFinite);
  if (xs.length === 0 || ys.length === 0) return `<p>${escapeHtml(title)}: no data yet</p>`;
  let [x0, x1] = [Math.min(...xs), Math.max(...xs)];
  let [y0, y1] = [Math.min(...ys), Math.max(...ys)];
  if (x0 === x1) [x0, x1] = [x0 - 1, x1 + 1];
  if (y0 === y1) [y0, y1] = [y0 - 1, y1 + 1];
  const px = (x: number) => left + ((x - x0) / (x1 - x0)) * (width - left - right);
  const py = (y: number) => top + (1 - (y - y0) / (y1 - y0)) * (height - top - bottom);
  const ticks: string[] = [];
  for (let i = 0; i <= 4; i++) {
    const y = y0 + ((y1 - y0) * i) / 4;
    ticks.push(`<line x1="${left}" x2="${width - right}" y1="${py(y).toFixed(1)}" y2="${py(y).toFixed(1)}" stroke="#eee"/><text x="${left - 6}" y="${(py(y) + 4).toFixed(1)}" text-anchor="end">${formatTick(y)}</text>`);
    const x = x0 + ((x1 - x0) * i) / 4;
    ticks.push(`<text x="${px(x).toFixed(1)}" y="${height - bottom + 16}" text-anchor="middle">${formatTick(x)}</text>`);
  }
  const lines = series.map((s, k) => {
    const points = s.x.map((x, i) => `${px(x).toFixed(1)},${py(s.y[i]).toFixed(1)}`).join(' ');
    const marks = s.x.length <= 60 ? s.x.map((x, i) => `<circle cx="${px(x).toFixed(1)}" cy="${py(s.y[i]).toFixed(1)}" r="2.5" fill="${s.color}"/>`).join('') : '';
    return `<polyline fill="none" stroke="${s.color}" stroke-width="2" points="${points}"/>${marks}<text x="${left + 10 + k * 170}" y="${top - 10}" fill="${s.color}">— ${escapeHtml(s.name)}</text>`;
  });
  return `<h2>${escapeHtml(title)}</h2>
<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-size="11" role="img" aria-label="${escapeHtml(title)}">
<rect x="${left}" y="${top}" width="${width - left - right}" height="${height - top - bottom}" fill="none" stroke="#999"/>
${ticks.join('\n')}
${lines.join('\n')}
<text x="${(left + width - right) / 2}" y="${height - 6}" text-anchor="middle">${escapeHtml(xLabel)}</text>
</svg>`;
}

function formatTick(v: number): string {
  return Math.abs(v) >= 100 ? v.toFixed(0) : Math.abs(v) >= 1 ? v.toFixed(2) : v.toPrecision(2);
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);
}
