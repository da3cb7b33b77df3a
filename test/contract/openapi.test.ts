/**
 * The API contract document (openapi.json): committed and up to date with the code, complete (an
 * operation for every route of lib/routes.ts), lint-clean (Redocly, rules in redocly.yaml), and
 * its error-code catalogue holds every code the source can answer.
 */
import { execFile } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { EVENT_FEED_PATH } from '../../lib/local/event-feed';
import { LOCAL_ROUTES, ROUTES } from '../../lib/routes';
import { checkCoverage, renderOpenApiDocument } from '../../lib/schemas/document';
import { ERROR_CODES } from '../../lib/schemas/errors';
import { WORKED_EXAMPLES } from '../../lib/schemas/identify';
import { WORKED_EXAMPLE_1_RESPONSE, WORKED_EXAMPLE_2_RESPONSE } from '../support/worked-examples';

const ROOT = resolve(import.meta.dirname, '../..');
const committed = () => readFileSync(resolve(ROOT, 'openapi.json'), 'utf8');

describe('openapi.json', () => {
  it('is what `npm run openapi` generates from the code', () => {
    const fresh = renderOpenApiDocument();
    expect(committed() === fresh, 'openapi.json is stale: run `npm run openapi` and commit the result').toBe(true);
  });

  it('has an operation for every route of lib/routes.ts, with the route’s security', () => {
    const document = JSON.parse(committed());
    for (const route of ROUTES) {
      const operation = document.paths[route.path]?.[route.method.toLowerCase()];
      expect(operation, `${route.method} ${route.path}`).toBeDefined();
      expect(operation.security).toEqual(route.auth === 'admin' ? [{ adminBearer: [] }] : []);
      expect(Object.keys(operation.responses)).toContain('500');
    }
    expect(document.openapi).toBe('3.1.0');
  });

  it('refuses to generate while a route has no contract, naming it', () => {
    const all = [...ROUTES, ...LOCAL_ROUTES];
    expect(() => checkCoverage([...all, { method: 'POST', path: '/refunds' }])).toThrow(
      'Route POST /refunds (lib/routes.ts) has no contract in lib/schemas/registry.ts OPERATIONS.',
    );
    expect(() => checkCoverage(all.filter((r) => r.path !== '/health'))).toThrow(/OPERATIONS has GET \/health/);
    expect(() => checkCoverage(ROUTES)).toThrow(/OPERATIONS has GET \/admin\/events/);
    expect(() => checkCoverage()).not.toThrow();
  });

  it('documents the local server’s own routes, marked x-local-only (the SSE feed as text/event-stream)', () => {
    const document = JSON.parse(committed());
    expect(LOCAL_ROUTES.map((r) => r.path)).toContain(EVENT_FEED_PATH);
    for (const route of LOCAL_ROUTES) {
      const operation = document.paths[route.path]?.[route.method.toLowerCase()];
      expect(operation?.['x-local-only'], `${route.method} ${route.path}`).toBe(true);
      expect(operation.security).toEqual(route.auth === 'admin' ? [{ adminBearer: [] }] : []);
    }
    expect(Object.keys(document.paths[EVENT_FEED_PATH].get.responses['200'].content)).toEqual(['text/event-stream']);
    for (const route of ROUTES) expect(document.paths[route.path][route.method.toLowerCase()]['x-local-only']).toBeUndefined();
  });

  it('marks primaryContatctId as a deprecated alias, and shows SPEC’s worked examples', () => {
    const document = JSON.parse(committed());
    expect(document.components.schemas.IdentityContact.properties.primaryContatctId.deprecated).toBe(true);
    expect(document.components.schemas.IdentityContact.properties.primaryContactId.deprecated).toBeUndefined();
    expect(WORKED_EXAMPLES.example1.response).toEqual(WORKED_EXAMPLE_1_RESPONSE);
    expect(WORKED_EXAMPLES.example2.response).toEqual(WORKED_EXAMPLE_2_RESPONSE);
    const examples = document.paths['/identify'].post.responses['200'].content['application/json'].examples;
    expect(examples.example2.value).toEqual(WORKED_EXAMPLE_2_RESPONSE);
  });

  it('documents x-request-id on every response', () => {
    const document = JSON.parse(committed());
    const all = [
      ...Object.values(document.paths).flatMap((item: any) => Object.values(item).map((op: any) => op.responses)),
      document['x-default-route'].responses,
    ];
    for (const responses of all) for (const response of Object.values(responses) as any[]) expect(response.headers['x-request-id']).toBeDefined();
  });

  it('passes `redocly lint` (redocly.yaml), offline', async () => {
    const cli = resolve(ROOT, 'node_modules/@redocly/cli/bin/cli.js');
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [cli, 'lint', 'openapi.json'], {
      cwd: ROOT,
      env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true', NO_COLOR: '1' },
      timeout: 60_000,
    }).catch((error: { stdout: string; stderr: string }) => {
      throw new Error(`redocly lint failed:\n${error.stdout}\n${error.stderr}`);
    });
    expect(`${stdout}${stderr}`).toMatch(/Your API description is valid/);
    expect(`${stdout}${stderr}`).not.toMatch(/warning/i);
  }, 90_000);
});

describe('the error-code catalogue', () => {
  /**
   * Every snake_case string literal passed to an error constructor, errorBody(), a schema's
   * refineWith() or parseOrThrow() in lib/ and functions/ (calls with at most one level of nested
   * parentheses in their arguments). Not lib/import/: the bulk import's record rejections go to
   * its report file, and no route answers them.
   */
  function codesInSource(): Set<string> {
    const codes = new Set<string>();
    const walk = (dir: string): string[] =>
      readdirSync(dir).flatMap((name) => {
        const file = join(dir, name);
        return statSync(file).isDirectory() ? walk(file) : file.endsWith('.ts') ? [file] : [];
      });
    const answered = (file: string) => !file.startsWith(resolve(ROOT, 'lib/import') + '/');
    for (const file of [...walk(resolve(ROOT, 'lib')), ...walk(resolve(ROOT, 'functions'))].filter(answered)) {
      const text = readFileSync(file, 'utf8');
      for (const call of text.matchAll(/(?:Error|errorBody|refineWith|parseOrThrow)\(((?:[^()]|\([^()]*\))*)\)/gs)) {
        for (const literal of call[1]!.matchAll(/'([a-z]+(?:_[a-z]+)+)'/g)) codes.add(literal[1]!);
      }
    }
    return codes;
  }

  it('holds every code the source answers', () => {
    const found = codesInSource();
    expect(found.size).toBeGreaterThan(18);
    for (const code of found) expect(Object.keys(ERROR_CODES), `${code} is answered but not in lib/schemas/errors.ts`).toContain(code);
  });

  it('gives each code its status', () => {
    expect(ERROR_CODES.invalid_encoding.status).toBe(400);
    expect(ERROR_CODES.payload_too_large.status).toBe(413);
    expect(ERROR_CODES.storage_unavailable.status).toBe(503);
  });
});
