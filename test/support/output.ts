/**
 * Captures what the handlers write to stdout and stderr (Powertools: info/debug and EMF on stdout,
 * warn/error on stderr) as JSON lines, and picks the EMF lines (CloudWatch Embedded Metric Format)
 * out of them. The captured lines are kept out of the test output.
 */
import { vi } from 'vitest';

export interface Captured {
  /** Every non-empty line written since capture() or clear(). */
  lines: string[];
  clear(): void;
  /** Every line parsed as JSON (all of the service's lines are JSON). */
  json(): Array<Record<string, any>>;
  /** The EMF lines: JSON objects with an `_aws.CloudWatchMetrics` directive. */
  emf(): Array<Record<string, any>>;
  restore(): void;
}

export function captureOutput(): Captured {
  const lines: string[] = [];
  const spies = [process.stdout, process.stderr].map((stream) =>
    vi.spyOn(stream, 'write').mockImplementation((chunk: unknown) => {
      lines.push(...String(chunk).split('\n').filter((l) => l !== ''));
      return true;
    }),
  );
  const json = () => lines.map((line) => JSON.parse(line) as Record<string, any>);
  return {
    lines,
    clear: () => void lines.splice(0),
    json,
    emf: () => json().filter((entry) => Array.isArray(entry._aws?.CloudWatchMetrics)),
    restore: () => spies.forEach((spy) => spy.mockRestore()),
  };
}

/** The metric names an EMF line declares. */
export function metricNames(emf: Record<string, any>): string[] {
  return emf._aws.CloudWatchMetrics.flatMap((d: { Metrics: Array<{ Name: string }> }) => d.Metrics.map((m) => m.Name));
}
