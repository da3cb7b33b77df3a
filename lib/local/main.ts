/**
 * `npm start`: the HTTP API on http://127.0.0.1:${PORT:-3000}, backed by an embedded DynamoDB
 * Local whose data persists in .data/dynamodb (git-ignored). Options:
 *   --in-memory (or LOCAL_IN_MEMORY=1)   keep the data in memory only
 *   DYNAMODB_ENDPOINT=http://host:port  use that DynamoDB instead of starting one
 *   ADMIN_TOKEN=...                     bearer token of the admin routes (else one is generated
 *                                       for the run and printed once at start-up)
 *   LOCAL_USER_TOKEN=...                bearer token of an authenticated non-admin (403 on admin routes)
 *   OIDC_PORT, LOCAL_ADMIN_PASSWORD, LOCAL_USER_PASSWORD, OIDC_TOKEN_TTL_SECONDS
 *                                       the local OIDC provider of the admin console (lib/local/oidc.ts)
 * The pages (web/) are served on the same origin, built first when missing or stale
 * (lib/local/static.ts). Change events go to .data/events.ndjson (in memory: a temp file) and
 * GET /admin/events (SSE). Ctrl-C or SIGTERM closes the server and stops Java.
 */
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import { httpSettings } from '../config';
import { prepareLocalStorage } from './environment';
import { generateToken } from './auth';
import { startLocalEvents } from './events';
import { createLocalServer } from './server';
import { localOidcOptionsFromEnv, openLocalOidc, signInBanner } from './oidc';
import { jwtAuthorizer } from './oidc-verifier';
import { createStaticSite } from './static';

const ROOT = resolve(import.meta.dirname, '../..');

async function main(): Promise<void> {
  const port = Number(process.env.PORT ?? 3000);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) throw new Error('PORT must be a port number');
  const { requestTimeoutMs } = httpSettings(); // validated before anything starts
  // The console's sign-in: a local OIDC provider on its own port (opened first, so a
  // busy port fails before Java starts); the API verifies its JWTs.
  const oidc = await openLocalOidc(localOidcOptionsFromEnv(process.env, port));
  const inMemory = process.argv.includes('--in-memory') || process.env.LOCAL_IN_MEMORY === '1';
  const storage = await prepareLocalStorage({
    endpoint: process.env.DYNAMODB_ENDPOINT || undefined,
    dataDir: inMemory ? null : resolve(ROOT, '.data/dynamodb'),
  });
  // Change events: the Changes stream read by the same handler as the Lambda, into .data/events.ndjson and SSE.
  const events = await startLocalEvents({ endpoint: storage.endpoint, tables: storage.tables, dataDir: inMemory ? null : resolve(ROOT, '.data') });
  // The admin routes want `Authorization: Bearer <ADMIN_TOKEN>`; without one set, a fresh token is
  // generated for this run and printed below (only then: a token you set yourself is never printed).
  const generatedToken = process.env.ADMIN_TOKEN ? null : generateToken();
  // The pages: built when missing or stale. `oidc`: the console's sign-in provider (null: none).
  const site = await createStaticSite({ oidc: { authority: oidc.issuer, clientId: oidc.clientId, scope: oidc.scope }, log: (line) => process.stdout.write(`${line}\n`) });
  const server = createLocalServer({
    site,
    timeoutMs: requestTimeoutMs,
    auth: {
      adminToken: process.env.ADMIN_TOKEN || generatedToken!,
      userToken: process.env.LOCAL_USER_TOKEN || undefined,
      jwt: jwtAuthorizer({ issuer: oidc.issuer, audience: [oidc.clientId] }),
    },
    events: events.sink,
  });

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    process.stderr.write(`\n${signal}: stopping\n`);
    server.close();
    server.closeAllConnections();
    await events.stop();
    await oidc.close();
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
  server.listen(port, '127.0.0.1', async () => {
    const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    await oidc.start(origin);
    const where = storage.embedded
      ? inMemory ? 'embedded DynamoDB Local, in memory' : 'embedded DynamoDB Local, data in .data/dynamodb'
      : `DynamoDB at ${storage.endpoint}`;
    process.stdout.write(`FluxKart identity service listening on http://127.0.0.1:${port} (${where})\n`);
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
  process.stderr.write(`npm start failed: ${(error as Error).message}\n`);
  process.exit(1);
});
