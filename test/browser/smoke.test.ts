/**
 * The browser harness itself: Chromium starts, the storefront and the console pages load on the
 * local server under the site's CSP without a page error.
 */
import { describe, expect, it } from 'vitest';
import { useBrowser, poll } from '../support/browser';

const t = useBrowser();

describe('browser harness', () => {
  it('loads both pages without errors or CSP violations', async () => {
    for (const path of ['/', '/admin/']) {
      const page = await t.newPage();
      const problems: string[] = [];
      page.on('pageerror', (e) => problems.push(e.message));
      page.on('console', (m) => {
        if (m.type() === 'error') problems.push(m.text());
      });
      await page.goto(path);
      await poll(() => page.locator('h1').count()).toBeGreaterThan(0);
      expect(problems, path).toEqual([]);
    }
  });
});
