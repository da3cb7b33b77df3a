/**
 * The browser tests' contract check itself (test/support/browser-contract.ts), in a real Chromium:
 * it passes what the local server answers, and reports what breaks the document: here a small
 * server on its own loopback port that answers GET /health outside the contract (no x-request-id,
 * a body of the wrong shape) and an undocumented status. It ignores navigations, the site's own
 * files and other origins.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiContractWatch } from '../support/browser-contract';
import { useBrowser } from '../support/browser';

const t = useBrowser();
let wrong: Server;
let wrongBase: string;

beforeAll(async () => {
  // Answers the way a broken API would; the page at / is where the browser fetches from.
  wrong = createServer((req, res) => {
    if (req.url === '/') {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end('<!doctype html><html lang="en"><title>t</title><body>t</body></html>');
    } else if (req.url === '/health') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"status":"broken"}');
    } else if (req.url === '/config.json') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"anything":true}');
    } else {
      res.writeHead(418, { 'content-type': 'application/json', 'x-request-id': 'r-1' });
      res.end('{"error":{"code":"teapot","message":"no","requestId":"r-1"}}');
    }
  });
  await new Promise<void>((done) => wrong.listen(0, '127.0.0.1', done));
  wrongBase = `http://127.0.0.1:${(wrong.address() as AddressInfo).port}`;
});

afterAll(async () => {
  wrong.closeAllConnections();
  await new Promise<void>((done) => wrong.close(() => done()));
});

/** fetch() from the page (a string: the project's TypeScript has no DOM types). */
const pageFetch = (page: Awaited<ReturnType<typeof t.newPage>>, path: string, init = '{}') =>
  page.evaluate(`fetch(${JSON.stringify(path)}, ${init}).then(async (r) => { await r.text(); return r.status; })`);

describe('the contract check of the pages’ API responses', () => {
  it('passes the local server’s answers (success and errors); skips navigations, /config.json and other origins', async () => {
    const page = await t.newPage();
    await page.goto('/');
    await pageFetch(page, '/health');
    await pageFetch(page, '/identify', `{ method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"email":"x"}' }`);
    await pageFetch(page, '/contacts');
    await pageFetch(page, '/no-such-route');
    expect(await t.contract.take()).toEqual([]);
    expect(t.contract.checked).toBe(4);
    expect(t.contract.withoutBody).toBe(0);
  });

  it('reports every response outside openapi.json, and only the API’s', async () => {
    const watch = new ApiContractWatch(() => wrongBase);
    const page = await t.newPage();
    watch.watch(page);
    await page.goto(wrongBase + '/');
    await pageFetch(page, '/config.json');
    await pageFetch(page, '/health');
    await pageFetch(page, '/teapot');
    // Another origin for this watch (and refused by CORS): not its to check.
    await pageFetch(page, t.site.baseUrl + '/health').catch(() => undefined);
    const problems = await watch.take();
    expect(problems).toHaveLength(3);
    expect(problems[0]).toMatch(/^GET \/health: GET \/health → 200: the required header x-request-id is missing$/);
    expect(problems[1]).toMatch(/^GET \/health: GET \/health → 200: the body does not match the document:[\s\S]*\/status must be equal to constant/);
    expect(problems[2]).toMatch(/^GET \/teapot: x-default-route \(no route for GET \/teapot\): status 418 is not documented/);
    expect(watch.checked).toBe(2);
    expect(watch.withoutBody).toBe(0);
    expect(await watch.take()).toEqual([]);
  });
});
