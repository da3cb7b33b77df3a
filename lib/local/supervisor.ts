/**
 * Supervision of the embedded DynamoDB Local of `npm start`. When Java exits without being asked
 * to (killed, crashed, out of memory), this notices at once (the child's exit), says so in one log
 * line, marks storage unavailable — the local server then answers storage routes `503
 * storage_unavailable` immediately instead of after the request's whole retry budget — and starts
 * Java again on the same port and the same data folder. With the data in memory there is no same
 * data to come back to (the tables and the id counter are gone), so it gives up instead: `npm
 * start` stops with a clear message. It also gives up after too many restarts in a short time.
 */
import { startDynamoDbLocal, type LocalDynamo, type LocalDynamoOptions } from './dynamodb-local';
import { localLog as defaultLog, type LocalLog } from './log';

export interface SupervisorOptions {
  /** Restarts allowed within `windowMs` before giving up. @default 5 */
  maxRestarts?: number;
  /** @default 60000 */
  windowMs?: number;
  /** Called once when supervision gives up; `npm start` exits with the message. */
  onGiveUp: (message: string) => void;
  log?: LocalLog;
  /** How to start Java again (tests may wrap it). @default startDynamoDbLocal */
  start?: (options: LocalDynamoOptions) => Promise<LocalDynamo>;
}

export interface SupervisedDynamo {
  /** False from Java's unexpected exit until it answers again. */
  available(): boolean;
  /** The current Java process id. */
  pid(): number | undefined;
  /** Stops supervision and Java (no restart). */
  stop(): Promise<void>;
}

export function superviseDynamoDbLocal(first: LocalDynamo, options: SupervisorOptions): SupervisedDynamo {
  const { maxRestarts = 5, windowMs = 60_000, onGiveUp, log = defaultLog, start = startDynamoDbLocal } = options;
  const port = Number(new URL(first.endpoint).port);
  let current: LocalDynamo | null = first;
  let available = true;
  let stopped = false;
  let restarting: Promise<void> | null = null;
  const restarts: number[] = [];

  const giveUp = (message: string) => {
    if (stopped) return;
    stopped = true;
    log('error', message, { port });
    onGiveUp(message);
  };

  const watch = (dynamo: LocalDynamo) => {
    void dynamo.exited.then(({ code, signal }) => {
      if (stopped || current !== dynamo) return;
      available = false;
      current = null;
      log('error', 'DynamoDB Local exited unexpectedly; storage routes answer 503 until it is back', {
        pid: dynamo.pid,
        exitCode: code,
        signal,
      });
      if (dynamo.dataDir === null) {
        giveUp('DynamoDB Local died and its data was in memory (lost): stopping. Run npm start again.');
        return;
      }
      restarting = restart(dynamo.dataDir).finally(() => (restarting = null));
    });
  };

  const restart = async (dataDir: string) => {
    for (let attempt = 1; !stopped; attempt++) {
      const now = Date.now();
      while (restarts.length && restarts[0]! < now - windowMs) restarts.shift();
      if (restarts.length >= maxRestarts) {
        giveUp(`DynamoDB Local died ${restarts.length} times within ${windowMs / 1000} s: stopping. See the log above.`);
        return;
      }
      restarts.push(now);
      try {
        const next = await start({ dataDir, port });
        if (stopped) {
          await next.stop();
          return;
        }
        current = next;
        available = true;
        log('info', 'DynamoDB Local restarted on the same data', { pid: next.pid, port, attempt });
        watch(next);
        return;
      } catch (error) {
        log('warn', 'DynamoDB Local did not start again; retrying', { attempt, reason: (error as Error).message });
        await new Promise((resolve) => setTimeout(resolve, Math.min(5_000, 500 * 2 ** attempt)));
      }
    }
  };

  watch(first);
  return {
    available: () => available,
    pid: () => current?.pid,
    stop: async () => {
      stopped = true;
      await restarting;
      await current?.stop();
    },
  };
}
