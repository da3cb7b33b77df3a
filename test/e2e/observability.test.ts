/**
 * Logs, metrics and the request id end to end, over real HTTP against the local server (the one
 * behind `npm start`): every answer carries `x-request-id` (and `apigw-requestid`, as API Gateway
 * sends), every error body its `requestId`, every log line and EMF line of the request the same id,
 * also with many requests in flight at once; the metrics appear as EMF lines.
 */
import type { Server } from 'node:http';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createLocalServer } from '../../lib/local/server';
import { createTestTables } from '../support/dynamo';
import { closeServer, httpRequest, listenLocal } from '../support/http';
import { captureOutput, metricNames, type Captured } from '../support/output';

let server: Server;
let base: string;
let output: Captured;

beforeAll(async () => {
  const tables = await createTestTables();
  Object.assign(process.env, tables.env, { LOG_LEVEL: 'info' });
  delete process.env.POWERTOOLS_LOG_LEVEL;
  server = createLocalServer({ timeoutMs: 10_000, auth: { adminToken: 'observability-admin-token' } });
  base = await listenLocal(server);
});

afterAll(() => closeServer(server));

beforeEach(() => {
  output = captureOutput();
});

afterEach(() => {
  output.restore();
});

const identify = (body: unknown) =>
  httpRequest(`${base}/identify`, {
    method: 'POST',
    body: typeof body === 'string' ? body : JSON.stringify(body),
    headers: { 'content-type': 'application/json' },
  });

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

describe('one request id end to end', () => {
  it('a new contact: x-request-id, its log lines and its EMF line (IdentityCreated) share the id', async () => {
    const res = await identify({ email: 'emf-new@hillvalley.edu', phoneNumber: '+1 555 010 4242' });
    expect(res.status).toBe(200);
    const requestId = res.headers.get('x-request-id')!;
    expect(requestId).toMatch(UUID);
    expect(res.headers.get('apigw-requestid')).toBe(requestId);

    const lines = output.json();
    const logLines = lines.filter((l) => !('_aws' in l));
    expect(logLines.find((l) => l.message === 'request')).toMatchObject({
      level: 'INFO',
      service: 'fluxkart-identity',
      requestId,
      route: 'POST /identify',
      status: 200,
      function_name: 'identify',
    });
    // Powertools' function_request_id is the Lambda's own id, not API Gateway's.
    expect(logLines.find((l) => l.message === 'request')!.function_request_id).not.toBe(requestId);

    const emf = output.emf().find((l) => metricNames(l).includes('IdentityCreated'))!;
    expect(emf).toBeDefined();
    expect(emf._aws.CloudWatchMetrics[0]).toEqual({
      Namespace: 'FluxKart/Identity',
      Dimensions: [['service']],
      Metrics: [{ Name: 'IdentityCreated', Unit: 'Count' }],
    });
    expect(emf).toMatchObject({ service: 'fluxkart-identity', requestId, IdentityCreated: 1 });
    // The first request of the process: Powertools' ColdStart line, with the request id too.
    const cold = output.emf().find((l) => metricNames(l).includes('ColdStart'))!;
    expect(cold._aws.CloudWatchMetrics[0].Dimensions).toEqual([['service', 'function_name']]);
    expect(cold).toMatchObject({ ColdStart: 1, function_name: 'identify', requestId });
    expect(logLines.find((l) => l.message === 'request')!.cold_start).toBe(true);
    for (const line of lines) expect(line.requestId).toBe(requestId);
    expect(output.lines.join('\n')).not.toMatch(/emf-new@|5550104242|010 4242/);
  });

  it('a merge publishes Merge and MergeSize; a new secondary SecondaryAdded', async () => {
    await identify({ email: 'emf-a@hillvalley.edu', phoneNumber: '5550107001' });
    await identify({ email: 'emf-b@hillvalley.edu', phoneNumber: '5550107002' });
    await identify({ email: 'emf-b2@hillvalley.edu', phoneNumber: '5550107002' });
    output.clear();
    const res = await identify({ email: 'emf-a@hillvalley.edu', phoneNumber: '5550107002' });
    expect(res.json.contact.secondaryContactIds).toHaveLength(2);
    const emf = output.emf().find((l) => metricNames(l).includes('Merge'))!;
    expect(emf).toMatchObject({ Merge: 1, MergeSize: 2, requestId: res.headers.get('x-request-id') });

    output.clear();
    const added = await identify({ email: 'emf-c@hillvalley.edu', phoneNumber: '5550107001' });
    expect(output.emf().find((l) => metricNames(l).includes('SecondaryAdded'))).toMatchObject({
      SecondaryAdded: 1,
      requestId: added.headers.get('x-request-id'),
    });
  });

  it('errors: 400, 404, 405 and the local authorizer\'s 401 carry the id in the header and the body', async () => {
    const answers = [
      await identify('{"email":'),
      await httpRequest(`${base}/no-such-route`, { method: 'GET' }),
      await httpRequest(`${base}/identify`, { method: 'GET' }),
      await httpRequest(`${base}/contacts`, { method: 'GET' }),
    ];
    expect(answers.map((a) => a.status)).toEqual([400, 404, 405, 401]);
    for (const answer of answers) {
      const requestId = answer.headers.get('x-request-id');
      expect(requestId).toMatch(UUID);
      expect(Object.keys(answer.json.error)).toEqual(['code', 'message', 'requestId']);
      expect(answer.json.error.requestId).toBe(requestId);
    }
  });

  it('ignores a caller-supplied x-request-id', async () => {
    const res = await httpRequest(`${base}/health`, { method: 'GET', headers: { 'x-request-id': 'caller-chosen-id' } });
    expect(res.headers.get('x-request-id')).toMatch(UUID);
    expect(output.lines.join('\n')).not.toContain('caller-chosen-id');
  });

  it('keeps each request\'s lines apart with many requests in flight at once', async () => {
    const bodies = Array.from({ length: 24 }, (_, i) =>
      i % 4 === 3 ? '{"email":' : { email: `emf-flight-${i % 6}@hillvalley.edu`, phoneNumber: `555010${8000 + i}` },
    );
    const answers = await Promise.all(bodies.map((b) => identify(b)));
    const byId = new Map(answers.map((a) => [a.headers.get('x-request-id')!, a]));
    expect(byId.size).toBe(answers.length);
    const lines = output.json();
    for (const line of lines) expect(byId.has(line.requestId), JSON.stringify(line)).toBe(true);
    // Each request logged its own summary line, with its own status.
    const summaries = lines.filter((l) => l.message === 'request');
    expect(summaries).toHaveLength(answers.length);
    for (const summary of summaries) expect(summary.status).toBe(byId.get(summary.requestId)!.status);
    // And each EMF line belongs to one request that created or changed something.
    for (const emf of output.emf()) expect(byId.get(emf.requestId)!.status).toBe(200);
  });
});
