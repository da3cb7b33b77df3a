/**
 * The contract check of the browser tests: every API response a page receives is checked against
 * openapi.json (test/support/contract.ts), the way test/support/http.ts checks the HTTP tests'.
 * `watch(page)` listens to the page's responses (Playwright's `response` event: it observes, the
 * page's requests go to the server unchanged). An API response is one the page fetched itself
 * (fetch, XMLHttpRequest or EventSource) from the local server's origin, other than the site's
 * own files (/config.json, /openapi.json); navigations, scripts, styles, images and the OIDC
 * provider on its own origin are not API answers. `useApiContract()` fails each test, in its
 * afterEach, with the list of every response outside the contract. Chromium only finishes a fetch
 * whose body the page reads (the pages always do): one it never reads is checked without its body
 * (status and headers) after a short wait.
 * Nothing about a particular page here.
 */
import type { Page, Response } from 'playwright-core';
import { afterEach, expect } from 'vitest';
import { contractProblems } from './contract';

/** Files the local server serves to pages on the API's origin that are not API routes. */
const SITE_FILES = new Set(['/config.json', '/openapi.json']);
const API_CALLS = new Set(['fetch', 'xhr', 'eventsource']);

/** How long `take()` waits for a body the browser has not finished receiving (never an assertion). */
const BODY_WAIT_MS = 5_000;

interface Seen {
  response: Response;
  /** The body, or undefined when the browser cannot give it (an event stream, a closed page). */
  body: Promise<string | undefined>;
}

export class ApiContractWatch {
  private seen: Seen[] = [];
  /** How many API responses were checked. */
  checked = 0;
  /**
   * Of those, how many without their body: an event stream (it never ends), a page closed first,
   * or a body the page never read (Chromium only finishes a fetch the page reads).
   */
  withoutBody = 0;

  /** API responses received so far, checked or waiting for the next `take()`. */
  get received(): number {
    return this.checked + this.seen.length;
  }

  /** `origin()`: the local server's origin (read when a response arrives, so it may be set later). */
  constructor(private readonly origin: () => string) {}

  isApiResponse(response: Response): boolean {
    const url = new URL(response.url());
    return url.origin === this.origin() && API_CALLS.has(response.request().resourceType()) && !SITE_FILES.has(url.pathname);
  }

  /** Checks every API response `page` receives from now on (at the next `take()`). */
  watch(page: Page): void {
    page.on('response', (response) => {
      if (!this.isApiResponse(response)) return;
      const stream = (response.headers()['content-type'] ?? '').startsWith('text/event-stream');
      // Asked for at once, while the browser still holds it.
      const body = stream ? Promise.resolve(undefined) : response.text().catch(() => undefined);
      this.seen.push({ response, body });
    });
  }

  /** Checks the responses received since the last call; returns the problems found (empty: all match). */
  async take(): Promise<string[]> {
    const problems: string[] = [];
    for (const { response, body: received } of this.seen.splice(0)) {
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<undefined>((done) => {
        timer = setTimeout(() => done(undefined), BODY_WAIT_MS);
      });
      const body = await Promise.race([received, late]);
      clearTimeout(timer);
      const method = response.request().method();
      this.checked += 1;
      if (body === undefined) this.withoutBody += 1;
      const found = contractProblems({ method, url: response.url(), status: response.status(), headers: response.headers(), body });
      for (const problem of found) problems.push(`${method} ${new URL(response.url()).pathname}: ${problem}`);
    }
    return problems;
  }
}

/**
 * A watch whose problems fail the test they happened in (registered as an afterEach of the file or
 * describe that calls it). Call `watch(page)` for every page the fixture opens.
 */
export function useApiContract(origin: () => string): ApiContractWatch {
  const contract = new ApiContractWatch(origin);
  afterEach(async () => {
    const problems = await contract.take();
    expect(problems, `API responses the page received outside the contract (openapi.json):\n${problems.join('\n')}`).toEqual([]);
  });
  return contract;
}
