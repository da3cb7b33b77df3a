/**
 * `npm start`: the HTTP API on http://127.0.0.1:${PORT:-3000}, backed by an embedded DynamoDB
 * Local whose data persists in .data/dynamodb (git-ignored). Options:
 *   --in-memory (or LOCAL_IN_MEMORY=1)   keep the data in memory only
 *   LOCAL_DATA_DIR=path                 keep the data there instead of .data (DynamoDB Local in
 *                                       <path>/dynamodb, change events in <path>/events.ndjson)
 *   DYNAMODB_ENDPOINT=http://host:port  use that DynamoDB instead of starting one
 *   ADMIN_TOKEN=...                     bearer token of the admin routes (else one is generated
 *                                       for the run and printed once at start-up)
 *   LOCAL_USER_TOKEN=...                bearer token of an authenticated non-admin (403 on admin routes)
 *   OIDC_PORT, LOCAL_ADMIN_PASSWORD, LOCAL_USER_PASSWORD, OIDC_TOKEN_TTL_SECONDS
 *                                       the local OIDC provider of the admin console (lib/local/oidc.ts)
 * The pages (web/) are served on the same origin, built first when missing or stale
 * (lib/local/static.ts). Change events go to .data/events.ndjson (in memory: a temp file) and
 * GET /admin/events (SSE).
 * Ctrl-C or SIGTERM: stop accepting, finish the requests in flight (at most the request timeout),
 * then stop Java (lib/local/shutdown.ts). Java never outlives this process, even after `kill -9`
 * (lib/local/dynamodb-local.ts), and a DynamoDB Local that dies is restarted on the same data
 * (lib/local/supervisor.ts).
 */
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import { httpSettings } from '../config';
import { prepareLocalStorage } from './environment';
import { generateToken } from './auth';
import { startLocalEvents } from './events';
import { maskText } from '../masking';
import { localLog } from './log';
import { localOidcOptionsFromEnv, openLocalOidc, signInBanner } from './oidc';
import { jwtAuthorizer } from './oidc-verifier';
import { createLocalServer } from './server';
import { drain, onStopSignals, trackRequests, watchParent } from './shutdown';
import { createStaticSite } from './static';
import { superviseDynamoDbLocal } from './supervisor';

/** Added to the request timeout for the requests in flight to finish when stopping. */
const DRAIN_MARGIN_MS = 1_000;

const ROOT = resolve(import.meta.dirname, '../..');

async function main(): Promise<void> {
  const port = Number(process.env.PORT ?? 3000);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) throw new Error('PORT must be a port number');
  const { requestTimeoutMs } = httpSettings(); // validated before anything starts
  // The console's sign-in: a local OIDC provider on its own port (opened first, so a
  // busy port fails before Java starts); the API verifies its JWTs.
  const oidc = await openLocalOidc(localOidcOptionsFromEnv(process.env, port));
  const inMemory = process.argv.includes('--in-memory') || process.env.LOCAL_IN_MEMORY === '1';
  const dataRoot = resolve(ROOT, process.env.LOCAL_DATA_DIR || '.data');
  const storage = await prepareLocalStorage({
    endpoint: process.env.DYNAMODB_ENDPOINT || undefined,
    dataDir: inMemory ? null : resolve(dataRoot, 'dynamodb'),
  });
  // Change events: the Changes stream read by the same handler as the Lambda, into .data/events.ndjson and SSE.
  const events = await startLocalEvents({ endpoint: storage.endpoint, tables: storage.tables, dataDir: inMemory ? null : dataRoot });
  // The admin routes want `Authorization: Bearer <ADMIN_TOKEN>`; without one set, a fresh token is
  // generated for this run and printed below (only then: a token you set yourself is never printed).
  const generatedToken = process.env.ADMIN_TOKEN ? null : generateToken();
  // The pages: built when missing or stale. `oidc`: the console's sign-in provider (null: none).
  const site = await createStaticSite({ oidc: { authority: oidc.issuer, clientId: oidc.clientId, scope: oidc.scope }, log: (line) => process.stdout.write(`${line}\n`) });
  let stop: (reason: string, exitCode?: number) => Promise<void> = async () => undefined;
  const supervised = storage.dynamo
    ? superviseDynamoDbLocal(storage.dynamo, { onGiveUp: (message) => void stop(message, 1) })
    : null;
  const server = createLocalServer({
    site,
    timeoutMs: requestTimeoutMs,
    auth: {
      adminToken: process.env.ADMIN_TOKEN || generatedToken!,
      userToken: process.env.LOCAL_USER_TOKEN || undefined,
      jwt: jwtAuthorizer({ issuer: oidc.issuer, audience: [oidc.clientId] }),
    },
    events: events.sink,
    storageAvailable: supervised ? supervised.available : undefined,
  });
  const tracker = trackRequests(server);

  let stopping = false;
  stop = async (reason: string, exitCode = 0) => {
    if (stopping) return;
    stopping = true;
    localLog(exitCode === 0 ? 'info' : 'error', 'stopping', { reason });
    if (exitCode !== 0) process.stderr.write(`npm start: ${maskText(reason)}\n`);
    await drain(server, tracker, requestTimeoutMs + DRAIN_MARGIN_MS);
    await events.stop();
    await oidc.close();
    await (supervised ? supervised.stop() : storage.stop());
    localLog('info', 'stopped');
    process.exit(exitCode);
  };
  onStopSignals(
    (signal) => void stop(signal),
    async (reason) => {
      localLog('warn', 'stopping at once', { reason });
      server.closeAllConnections();
      await (supervised ? supervised.stop() : storage.stop());
      process.exit(1);
    },
  );
  // `npm start` runs this file under tsx: if that parent is killed (kill -9), stop too.
  watchParent(() => void stop('parent process exited'));

  server.on('error', async (error: NodeJS.ErrnoException) => {
    process.stderr.write(
      error.code === 'EADDRINUSE'
        ? `Port ${port} is in use: set PORT to another port.\n`
        : `Server error: ${maskText(error.message)}\n`,
    );
    await (supervised ? supervised.stop() : storage.stop());
    process.exit(1);
  });
  server.listen(port, '127.0.0.1', async () => {
    const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    await oidc.start(origin);
    const where = storage.embedded
      ? inMemory ? 'embedded DynamoDB Local, in memory' : `embedded DynamoDB Local, data in ${resolve(dataRoot, 'dynamodb')}`
      : `DynamoDB at ${storage.endpoint}`;
    process.stdout.write(`FluxKart identity service listening on http://127.0.0.1:${port} (${where})\n`);
    if (storage.dynamo) {
      localLog('info', 'DynamoDB Local started', { pid: storage.dynamo.pid, serverPid: process.pid, endpoint: storage.endpoint, diesWithParent: storage.dynamo.diesWithParent });
    }
    process.stdout.write(
      generatedToken
        ? `Admin routes: Authorization: Bearer ${generatedToken}  (generated for this run; set ADMIN_TOKEN to choose one)\n`
        : 'Admin routes: Authorization: Bearer $ADMIN_TOKEN\n',
    );
    process.stdout.write(`Change events: ${events.file} and GET /admin/events (SSE, admin token)\n`);
    process.stdout.write(signInBanner(oidc, `${origin}/admin/`, process.env));
  });
}

main().catch((error: unknown) => {
  process.stderr.write(`npm start failed: ${maskText(error instanceof Error ? error.message : String(error))}\n`);
  process.exit(1);
});
