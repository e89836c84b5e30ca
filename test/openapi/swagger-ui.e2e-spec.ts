import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import puppeteer, { type Browser } from 'puppeteer-core';
import { listeningApp, makeWorkspace } from '../client/support/transports';
import type { TestApp } from '../support/test-app';

/** The system's Chromium (.ci/run installs it), or null. */
function chromium(): string | null {
  const found = spawnSync('sh', ['-c', 'command -v chromium || command -v chromium-browser'], {
    encoding: 'utf8',
  }).stdout.trim();
  return found || null;
}

/**
 * Swagger UI in a real browser, as a new user meets the API: open /docs, pick "Submit a task",
 * "Try it out" with the default example, "Execute". It must render under the service's CSP and
 * the request must succeed.
 */
describe('Swagger UI in Chromium', () => {
  const executable = chromium();
  let app: TestApp;
  let baseUrl: string;
  let workspace: string;
  let browser: Browser;

  beforeAll(async () => {
    if (!executable) return;
    workspace = makeWorkspace();
    ({ app, baseUrl } = await listeningApp({ tools: { working_directory: workspace } }));
    browser = await puppeteer.launch({
      executablePath: executable,
      headless: true,
      // Root in a VM: Chromium's own sandbox needs user namespaces it may not get here.
      args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--no-first-run'],
    });
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await app?.close();
    if (workspace) rmSync(workspace, { recursive: true, force: true });
  });

  it('submits a task with the default example of "Try it out"', async () => {
    if (!executable) {
      console.warn('chromium not installed: skipped the Swagger UI check (.ci/run installs it)');
      return;
    }
    const page = await browser.newPage();
    const problems: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error') problems.push(m.text());
    });
    page.on('pageerror', (e) => problems.push(String(e)));
    await page.goto(`${baseUrl}/docs`, { waitUntil: 'networkidle0' });
    const operation = '#operations-tasks-TasksController_submit';
    await page.waitForSelector(operation);
    await page.click(`${operation} .opblock-summary`);
    await page.waitForSelector(`${operation} .try-out__btn`);
    await page.click(`${operation} .try-out__btn`);
    // The body editor holds the first example, sent as it is.
    const body = await page.$eval(`${operation} textarea.body-param__text`, (t) => t.value);
    expect(JSON.parse(body)).toEqual({ task: 'List the files in .' });
    await page.click(`${operation} .execute`);
    const status = await page.waitForSelector(
      `${operation} .live-responses-table tbody .response-col_status`,
      {
        timeout: 20_000,
      },
    );
    expect(await status!.evaluate((e) => e.textContent?.trim())).toBe('200');
    const answer = await page.$eval(
      `${operation} .live-responses-table tbody .response-col_description pre`,
      (e) => e.textContent ?? '',
    );
    expect(JSON.parse(answer)).toEqual(
      expect.objectContaining({ status: 'completed', task: 'List the files in .' }),
    );
    expect(problems).toEqual([]);
  }, 60_000);
});
