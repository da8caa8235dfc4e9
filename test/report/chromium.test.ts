/**
 * The HTML report in headless Chromium (Debian's /usr/bin/chromium, driven by playwright-core): it renders
 * its SVG, the search box finds an event, no script from the log runs, and no network request is made.
 * Screenshots go to test-output/ (git-ignored). Skipped only on a machine without Chromium outside CI.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { renderHtml } from '../../src/report/html.js';
import { ROOT } from '../helpers.js';
import { CHROMIUM, fixture, hasChromium, inCI } from './helpers.js';

const run = hasChromium() || inCI();
if (!run) console.warn(`${CHROMIUM} not found (apt-get install -y chromium): the Chromium test of the HTML report is skipped on this machine; in CI it runs.`);
const OUT = path.join(ROOT, 'test-output');

describe.skipIf(!run)('the HTML report in headless Chromium', () => {
  let dir: string;
  let context: BrowserContext;
  const requests: string[] = [];
  const blocked: string[] = [];
  const dialogs: string[] = [];
  const errors: string[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'cqlog-chromium-'));
    mkdirSync(OUT, { recursive: true });
    context = await chromium.launchPersistentContext(path.join(dir, 'profile'), {
      executablePath: CHROMIUM,
      headless: true,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
      viewport: { width: 1280, height: 900 },
    });
    // Any request but the report file itself is aborted and recorded.
    await context.route('**/*', async (route) => {
      const url = route.request().url();
      if (url.startsWith('file:') && url.endsWith('.html')) return route.continue();
      blocked.push(url);
      return route.abort();
    });
    context.on('request', (r) => requests.push(r.url()));
  });

  afterAll(async () => {
    await context?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  async function open(name: string, html: string): Promise<Page> {
    const file = path.join(dir, name);
    writeFileSync(file, html);
    const page = await context.newPage();
    page.on('dialog', (d) => {
      dialogs.push(d.message());
      void d.dismiss();
    });
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(pathToFileURL(file).href);
    return page;
  }

  it('renders the timeline, finds an event by search, and writes a screenshot', async () => {
    const page = await open('incident.html', renderHtml(fixture('analysis-incident.json'), { generatedAt: '2026-11-28T08:00:00' }));
    expect(await page.locator('svg.timeline').count()).toBe(2);
    await expect.poll(() => page.locator('svg.timeline').first().isVisible()).toBe(true);
    const box = await page.locator('svg.timeline').first().boundingBox();
    expect(box!.width).toBeGreaterThan(400);
    await page.locator('#q').fill('WS2');
    await page.locator('#search-results tr.result').first().waitFor();
    const rows = await page.locator('#search-results tr.result').allInnerTexts();
    expect(rows.some((r) => r.includes("Host 'WS2' did not accept the connection"))).toBe(true);
    expect(await page.locator('#search-status').innerText()).toMatch(/^\d+ events?$/);
    // A term with no hit clears the rows.
    await page.locator('#q').fill('nosuchwordanywhere');
    await expect.poll(() => page.locator('#search-results tr.result').count()).toBe(0);
    await page.locator('#q').fill('refused');
    await page.locator('#search-results tr.result').first().waitFor();
    await page.screenshot({ path: path.join(OUT, 'report-incident.png'), fullPage: true });
    await page.locator('#q').fill('');
    await page.locator('.svgwrap').first().screenshot({ path: path.join(OUT, 'report-incident-timeline.png') });
    await page.close();
  });

  it('runs no script from the log: the <script> AE title stays text, no dialog, no window.__pwned', async () => {
    const page = await open('xss.html', renderHtml(fixture('analysis-xss.json')));
    await page.locator('#q').fill('pwned');
    await page.locator('#search-results tr.result').first().waitFor();
    expect(await page.evaluate(() => (globalThis as unknown as { __pwned?: unknown }).__pwned)).toBeUndefined();
    expect(await page.evaluate("typeof window.__pwned")).toBe("undefined");
    expect(dialogs).toEqual([]);
    expect(await page.locator('img, iframe').count()).toBe(0);
    const text = await page.locator('main').innerText();
    expect(text).toContain('<script>window.__pwned=1</script>');
    // The log's tags show as text in the search results too.
    expect((await page.locator('#search-results').innerText())).toContain('<script>window.__pwned=1</script>');
    await page.screenshot({ path: path.join(OUT, 'report-xss.png') });
    await page.close();
  });

  it('made no network request and raised no page error', () => {
    expect(blocked).toEqual([]);
    expect(requests.every((u) => u.startsWith('file:'))).toBe(true);
    expect(errors).toEqual([]);
  });
});
