/**
 * `GET /admin/events` over real HTTP: the local server with the change-event pipeline of
 * `npm start` (DynamoDB Local stream -> poller -> same handler -> NDJSON file + SSE feed). Admin
 * authorisation exactly as on the other admin routes (401, 403), then a live feed that shows the
 * events of identify, merge and erase requests as they commit, with their eventIds as SSE ids, and
 * resumes after Last-Event-ID.
 */
import type { Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLocalServer } from '../../lib/local/server';
import { watchEvents, type EventWatch } from '../support/change-events';
import { createTestTables } from '../support/dynamo';
import { closeServer, httpRequest, listenLocal } from '../support/http';

const ADMIN = 'feed-admin-token';
const USER = 'feed-user-token';
let server: Server;
let base: string;
let watch: EventWatch;

beforeAll(async () => {
  const tables = await createTestTables();
  Object.assign(process.env, tables.env, { LOG_LEVEL: 'warn' });
  watch = await watchEvents(tables);
  server = createLocalServer({ timeoutMs: 10_000, auth: { adminToken: ADMIN, userToken: USER }, events: watch.local.sink });
  base = await listenLocal(server);
});

afterAll(async () => {
  await closeServer(server);
  await watch.stop();
});

interface SseMessage {
  id?: string;
  event?: string;
  data?: string;
}

/** Opens the feed and collects messages until `count` have arrived (or the time is up). */
async function readFeed(count: number, headers: Record<string, string> = {}, during: () => Promise<void> = async () => undefined) {
  const controller = new AbortController();
  const res = await fetch(`${base}/admin/events`, { headers: { authorization: `Bearer ${ADMIN}`, ...headers }, signal: controller.signal });
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
  const messages: SseMessage[] = [];
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  const timer = setTimeout(() => controller.abort(), 20_000);
  const reading = (async () => {
    while (messages.length < count) {
      const { value, done } = await reader.read();
      if (done) break;
      buffer += decoder.decode(value, { stream: true });
      let end: number;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const message: SseMessage = {};
        for (const line of block.split('\n')) {
          const [field, ...rest] = line.split(': ');
          if (field === 'id' || field === 'event' || field === 'data') message[field] = rest.join(': ');
        }
        if (message.data !== undefined) messages.push(message);
      }
    }
  })();
  await during();
  await reading.catch(() => undefined);
  clearTimeout(timer);
  controller.abort();
  return messages;
}

const post = (path: string, body: unknown, token?: string) =>
  httpRequest(base + path, {
    method: 'POST',
    body: JSON.stringify(body),
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
  });

describe('GET /admin/events', () => {
  it('needs an admin: 401 without a token or with a wrong one, 403 for a signed-in non-admin, 405 for POST', async () => {
    for (const headers of [{}, { authorization: 'Bearer wrong' }] as Record<string, string>[]) {
      const res = await httpRequest(`${base}/admin/events`, { method: 'GET', headers });
      expect(res.status).toBe(401);
      expect(res.json).toEqual({ error: { code: 'unauthorized', message: expect.any(String), requestId: res.headers.get('x-request-id') } });
    }
    const user = await httpRequest(`${base}/admin/events`, { method: 'GET', headers: { authorization: `Bearer ${USER}` } });
    expect(user.status).toBe(403);
    expect(user.json).toEqual({ error: { code: 'forbidden', message: expect.any(String), requestId: user.headers.get('x-request-id') } });
    const wrongMethod = await httpRequest(`${base}/admin/events`, { method: 'POST', headers: { authorization: `Bearer ${ADMIN}` } });
    expect(wrongMethod.status).toBe(405);
    expect(wrongMethod.headers.get('allow')).toBe('GET');
  });

  it('streams the events of identify, merge and erase live, then resumes after Last-Event-ID', async () => {
    const messages = await readFeed(5, {}, async () => {
      expect((await post('/identify', { email: 'marty@feed.test', phoneNumber: '5551985' })).status).toBe(200);
      expect((await post('/identify', { email: 'doc@feed.test', phoneNumber: '5551955' })).status).toBe(200);
      expect((await post('/identify', { email: 'doc@feed.test', phoneNumber: '5551985' })).status).toBe(200); // merge
      expect((await post('/identify', { email: 'doc@feed.test', phoneNumber: '5552015' })).status).toBe(200); // new secondary
      const erase = await httpRequest(`${base}/identities/1`, { method: 'DELETE', headers: { authorization: `Bearer ${ADMIN}` } });
      expect(erase.status, erase.text).toBe(200);
    });
    expect(messages.map((m) => m.event)).toEqual([
      'identity.created',
      'identity.created',
      'identity.merged',
      'identity.contactAdded',
      'identity.erased',
    ]);
    const envelopes = messages.map((m) => JSON.parse(m.data!));
    for (const [i, m] of messages.entries()) {
      expect(m.id).toBe(envelopes[i].detail.eventId);
      expect(envelopes[i]).toMatchObject({ source: 'fluxkart.identity', 'detail-type': m.event, id: m.id });
    }
    expect(JSON.stringify(envelopes)).not.toMatch(/feed\.test|555/);
    // The same events are in the NDJSON file.
    expect((await watch.events()).map((e) => e.eventId)).toEqual(messages.map((m) => m.id));

    // A client that lost the connection after the second event gets the rest on reconnecting.
    const resumed = await readFeed(3, { 'last-event-id': messages[1]!.id! });
    expect(resumed.map((m) => m.id)).toEqual(messages.slice(2).map((m) => m.id));
  });
});
