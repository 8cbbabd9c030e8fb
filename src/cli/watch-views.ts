// The two faces of `search create --watch`: a progress bar per running trial with the trial table
// filling in above the bars (a terminal), or one plain line per event (a pipe, a log, CI).
import cliProgress from 'cli-progress';
import type { SearchEventMessage } from './event-stream.js';
import { epochLine, epochMetrics, finishedLine, otherLine, startedLine } from './event-lines.js';
import { fmtMetric, fmtValue } from './format.js';
import { formatRow } from './render-table.js';
import type { SpecInfo } from './spec-info.js';

export interface WatchView {
  event(e: SearchEventMessage): void;
  reconnect(attempt: number, reason: string): void;
  close(): void;
}

export interface Output {
  write(s: string): unknown;
}

/** A trial's epoch target: its own where the event gives one (Hyperband rungs), else the spec's. */
const totalEpochs = (d: Record<string, unknown>, spec: SpecInfo) => (typeof d.targetEpochs === 'number' ? d.targetEpochs : spec.epochs);

export class PlainView implements WatchView {
  private readonly totals = new Map<unknown, number | undefined>();
  constructor(private readonly out: Output, private readonly spec: SpecInfo) {}

  event({ event, data }: SearchEventMessage): void {
    if (event === 'trial.started') {
      this.totals.set(data.number, totalEpochs(data, this.spec));
      this.line(startedLine(data, this.spec.hpNames));
    } else if (event === 'trial.epoch') this.line(epochLine(data, this.totals.get(data.number) ?? this.spec.epochs));
    else if (event === 'trial.finished') this.line(finishedLine(data, this.spec.metric));
    else if (event !== 'search.finished') this.line(otherLine(event, data)); // the caller prints the summary
  }

  reconnect(attempt: number, reason: string): void {
    this.line(`connection lost (${reason}); reconnecting (attempt ${attempt})`);
  }

  close(): void {}

  private line(s: string) { this.out.write(`${s}\n`); }
}

export class BarsView implements WatchView {
  private readonly multibar: cliProgress.MultiBar;
  private readonly bars = new Map<unknown, cliProgress.SingleBar>();
  private readonly widths: number[];
  private readonly headers: string[];
  private headerShown = false;
  /** Hyperparameters come with trial.started; trial.finished does not repeat them. */
  private readonly started = new Map<unknown, Record<string, unknown>>();

  constructor(stream: NodeJS.WritableStream, private readonly spec: SpecInfo) {
    this.multibar = new cliProgress.MultiBar({
      stream, format: 'trial {trial} {bar} {value}/{total} epochs  {metrics}', barsize: 24,
      hideCursor: true, clearOnComplete: true, autopadding: true, fps: 5,
    }, cliProgress.Presets.shades_classic);
    process.once('SIGINT', this.interrupted);
    const objective = spec.metric !== 'val_accuracy' ? [spec.metric] : [];
    this.headers = ['#', 'status', ...spec.hpNames, ...objective, 'val_accuracy', 'epochs'];
    this.widths = this.headers.map((h) => Math.max(h.length, h === 'status' ? 9 : 1, spec.hpWidths[h] ?? 0, h === '#' ? String(spec.maxTrials ?? 9).length : 0));
  }

  event({ event, data }: SearchEventMessage): void {
    if (event === 'trial.started') {
      if (data.hyperparameters && typeof data.hyperparameters === 'object') this.started.set(data.number, data.hyperparameters as Record<string, unknown>);
      this.bar(data);
    } else if (event === 'trial.epoch') {
      const bar = this.bar(data);
      const epoch = typeof data.epoch === 'number' ? data.epoch : 0;
      if (epoch > bar.getTotal()) bar.setTotal(epoch);
      bar.update(epoch, { metrics: epochMetrics(data) });
    } else if (event === 'trial.finished') {
      const bar = this.bars.get(data.number);
      if (bar) { this.multibar.remove(bar); this.bars.delete(data.number); }
      this.row(data);
    } else if (event !== 'search.finished') this.log(otherLine(event, data));
  }

  reconnect(attempt: number, reason: string): void {
    this.log(`connection lost (${reason}); reconnecting (attempt ${attempt})`);
  }

  close(): void {
    process.removeListener('SIGINT', this.interrupted);
    this.multibar.update(); // stop() alone would drop log lines not yet drawn
    this.multibar.stop();
  }

  /** Ctrl-C: give the cursor back and leave; the search itself goes on in the service. */
  private readonly interrupted = () => {
    this.multibar.stop();
    process.exit(130);
  };

  private bar(d: Record<string, unknown>): cliProgress.SingleBar {
    let bar = this.bars.get(d.number);
    if (!bar) {
      // A continued trial (Hyperband) starts from its parent's epochs.
      const from = typeof d.initialEpoch === 'number' ? d.initialEpoch : 0;
      bar = this.multibar.create(totalEpochs(d, this.spec) ?? 1, from, { trial: fmtValue(d.number), metrics: 'starting' });
      this.bars.set(d.number, bar);
    }
    return bar;
  }

  /** The finished trial as a row of the table that fills in above the bars. */
  private row(d: Record<string, unknown>) {
    const aligns = this.headers.map((h) => (h === 'status' ? 'left' : 'right') as 'left' | 'right');
    if (!this.headerShown) {
      this.headerShown = true;
      this.log(formatRow(this.headers, this.widths, aligns));
      this.log(this.widths.map((w) => '-'.repeat(w)).join('  '));
    }
    const hps = (d.hyperparameters ?? this.started.get(d.number) ?? {}) as Record<string, unknown>;
    const objective = this.spec.metric !== 'val_accuracy' ? [fmtMetric(d.value)] : [];
    const cells = [fmtValue(d.number), fmtValue(d.status), ...this.spec.hpNames.map((k) => fmtValue(hps[k])), ...objective, fmtMetric(d.valAccuracy), fmtValue(d.epochs)];
    this.log(formatRow(cells, this.widths, aligns));
    if (typeof d.error === 'string' && d.error) this.log(`  ${finishedLine(d, this.spec.metric)}`);
  }

  private log(s: string) { this.multibar.log(`${s}\n`); }
}
