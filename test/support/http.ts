/**
 * The one fetch wrapper of the HTTP tests (end-to-end and admin, against the local server). Every
 * answer is checked against the API contract, openapi.json (test/support/contract.ts), before the
 * test sees it: a status, header or body the document does not promise fails the test. Also the
 * start and stop of a test's server on a free loopback port.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expectToMatchContract } from './contract';

/** Listens on a free loopback port and answers the server's base URL (http://127.0.0.1:<port>). */
export async function listenLocal(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** Closes the server, kept-alive connections included. */
export async function closeServer(server: Server): Promise<void> {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
}

export interface HttpAnswer {
  status: number;
  headers: Headers;
  text: string;
  /** The body parsed as JSON, or undefined when it is not JSON. */
  json: any;
}

export async function httpRequest(
  url: string,
  init: { method: string; body?: string; headers?: Record<string, string> },
): Promise<HttpAnswer> {
  const res = await fetch(url, init);
  const text = await res.text();
  expectToMatchContract({ method: init.method, url, status: res.status, headers: res.headers, body: text });
  let json: any;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, headers: res.headers, text, json };
}
