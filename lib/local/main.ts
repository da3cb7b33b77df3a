/**
 * `npm start`: the HTTP API on http://127.0.0.1:${PORT:-3000}, backed by an embedded DynamoDB
 * Local whose data persists in .data/dynamodb (git-ignored). Options:
 *   --in-memory (or LOCAL_IN_MEMORY=1)   keep the data in memory only
 *   DYNAMODB_ENDPOINT=http://host:port  use that DynamoDB instead of starting one
 * Ctrl-C or SIGTERM closes the server and stops Java.
 */
import { resolve } from 'node:path';
import { prepareLocalStorage } from './environment';
import { createLocalServer } from './server';

const ROOT = resolve(import.meta.dirname, '../..');

async function main(): Promise<void> {
  const port = Number(process.env.PORT ?? 3000);
  const inMemory = process.argv.includes('--in-memory') || process.env.LOCAL_IN_MEMORY === '1';
  const storage = await prepareLocalStorage({
    endpoint: process.env.DYNAMODB_ENDPOINT || undefined,
    dataDir: inMemory ? null : resolve(ROOT, '.data/dynamodb'),
  });
  const server = createLocalServer({ timeoutMs: Number(process.env.REQUEST_TIMEOUT_MS ?? 10_000) });

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    process.stderr.write(`\n${signal}: stopping\n`);
    server.close();
    server.closeAllConnections();
    await storage.stop();
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));

  server.on('error', async (error: NodeJS.ErrnoException) => {
    process.stderr.write(
      error.code === 'EADDRINUSE'
        ? `Port ${port} is in use: set PORT to another port.\n`
        : `Server error: ${error.message}\n`,
    );
    await storage.stop();
    process.exit(1);
  });
  server.listen(port, '127.0.0.1', () => {
    const where = storage.embedded
      ? inMemory ? 'embedded DynamoDB Local, in memory' : 'embedded DynamoDB Local, data in .data/dynamodb'
      : `DynamoDB at ${storage.endpoint}`;
    process.stdout.write(`FluxKart identity service listening on http://127.0.0.1:${port} (${where})\n`);
  });
}

main().catch((error: unknown) => {
  process.stderr.write(`npm start failed: ${(error as Error).message}\n`);
  process.exit(1);
});
