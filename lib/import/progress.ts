/**
 * Progress display of the bulk import: a cli-progress bar per phase on a terminal (records read,
 * identities written, rate, ETA), or, when stderr is not a TTY (CI, a log file), one plain line
 * every few seconds. It only ever shows counts, never an email or a phone number.
 */
import cliProgress from 'cli-progress';

export interface Progress {
  start(phase: string, total: number, unit: string): void;
  update(value: number): void;
  /** Changes the total (an estimate that improves, e.g. records in a file being read). */
  setTotal(total: number): void;
  stop(): void;
  log(line: string): void;
}

const LINE_INTERVAL_MS = 5_000;

export function createProgress(stream: NodeJS.WriteStream = process.stderr, quiet = false): Progress {
  if (quiet) return { start() {}, update() {}, setTotal() {}, stop() {}, log() {} };
  if (stream.isTTY) return new BarProgress(stream);
  return new LineProgress(stream);
}

class BarProgress implements Progress {
  private bar: cliProgress.SingleBar | null = null;
  private started = 0;
  constructor(private readonly stream: NodeJS.WriteStream) {}

  start(phase: string, total: number, unit: string): void {
    this.stop();
    this.started = Date.now();
    this.bar = new cliProgress.SingleBar(
      {
        stream: this.stream,
        format: `${phase.padEnd(9)} [{bar}] {percentage}% | {value}/{total} ${unit} | {rate}/s | ETA {eta_formatted}`,
        hideCursor: true,
        etaBuffer: 50,
        fps: 5,
      },
      cliProgress.Presets.shades_classic,
    );
    this.bar.start(total, 0, { rate: 0 });
  }

  update(value: number): void {
    const seconds = (Date.now() - this.started) / 1000;
    this.bar?.update(value, { rate: seconds > 0 ? Math.round(value / seconds) : 0 });
  }

  setTotal(total: number): void {
    this.bar?.setTotal(total);
  }

  stop(): void {
    this.bar?.stop();
    this.bar = null;
  }

  log(line: string): void {
    if (this.bar) this.bar.stop();
    this.stream.write(`${line}\n`);
    this.bar = null;
  }
}

class LineProgress implements Progress {
  private phase = '';
  private unit = '';
  private total = 0;
  private started = 0;
  private lastLine = 0;
  private value = 0;
  constructor(private readonly stream: NodeJS.WriteStream) {}

  start(phase: string, total: number, unit: string): void {
    Object.assign(this, { phase, total, unit, started: Date.now(), lastLine: Date.now(), value: 0 });
  }

  update(value: number): void {
    this.value = value;
    if (Date.now() - this.lastLine < LINE_INTERVAL_MS) return;
    this.lastLine = Date.now();
    this.print();
  }

  setTotal(total: number): void {
    this.total = total;
  }

  stop(): void {
    if (this.phase) this.print();
    this.phase = '';
  }

  log(line: string): void {
    this.stream.write(`${line}\n`);
  }

  private print(): void {
    const seconds = (Date.now() - this.started) / 1000;
    const rate = seconds > 0 ? this.value / seconds : 0;
    const eta = rate > 0 ? Math.round((this.total - this.value) / rate) : '?';
    this.stream.write(`import: ${this.phase} ${this.value}/${this.total} ${this.unit}, ${Math.round(rate)}/s, ETA ${eta}s\n`);
  }
}
