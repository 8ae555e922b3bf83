import type { TrainProgress } from '../../train/trainer.ts';

/** "1h02m", "3m05s", "12s". */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '?';
  const s = Math.max(0, Math.round(seconds));
  if (s >= 3600) return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
  if (s >= 60) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${s}s`;
}

/** The figures of a progress report as text: epoch, window, loss, perplexity (softmax heads), tokens/s, ETA. */
export function progressFields(p: TrainProgress, perplexity: boolean): string {
  const ppl = perplexity ? ` ppl ${Math.exp(p.loss).toFixed(1)}` : '';
  return `loss ${p.loss.toFixed(4)}${ppl} ${p.tokensPerSecond.toFixed(0)} tokens/s ETA ${formatDuration(p.etaSeconds)}`;
}

/** A one-line progress bar for a terminal, e.g. `epoch 2/10 [######------] 48% loss … ETA 3m05s`. */
export function progressBar(p: TrainProgress, perplexity: boolean, width = 24): string {
  const fraction = p.window / p.windowsPerEpoch;
  const filled = Math.round(fraction * width);
  return `epoch ${p.epoch}/${p.epochs} [${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${String(Math.floor(fraction * 100)).padStart(3)}% ${progressFields(p, perplexity)}`;
}

/** A plain log line for a non-terminal (files, CI). */
export function progressLine(p: TrainProgress, perplexity: boolean): string {
  return `epoch ${p.epoch}/${p.epochs} window ${p.window}/${p.windowsPerEpoch} ${progressFields(p, perplexity)}`;
}
