/**
 * What every browser test needs: Debian's Chromium (skipped with a clear message when it is not
 * installed, unless REQUIRE_BROWSER_TESTS=1 — set by .ci/run — makes its absence a failure), the
 * service in demo mode started in this process exactly as `npm start` starts it with no
 * configuration (src/index.ts), axe with the WCAG 2.2 AA rule set, and screenshots under
 * test-artifacts/ (gitignored).
 */
import { existsSync, mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import { AxeBuilder } from '@axe-core/playwright';
import { chromium, type Browser, type BrowserContext, type BrowserContextOptions, type Page } from 'playwright-core';
import { loadConfig, withOktaOrgUrl } from '../../src/config.js';
import { startDemoOkta } from '../../src/demo/demo-okta.js';
import type { RunningEmulator } from '../../src/emulator/index.js';
import { projectRoot } from '../../src/paths.js';
import { startService } from '../../src/server.js';
import { afterResponses } from '../helpers/service.js';

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const REQUIRED = process.env.REQUIRE_BROWSER_TESTS === '1';
export const ARTIFACTS = path.join(projectRoot, 'test-artifacts', 'screenshots');

/** describe() when Chromium is here; otherwise a loud skip, or a failure when CI requires it. */
export function describeInBrowser(name: string, body: () => void): void {
  if (existsSync(CHROMIUM_PATH)) return describe(name, body);
  if (REQUIRED) {
    return describe(name, () => {
      it('runs in Chromium', () => {
        throw new Error(`REQUIRE_BROWSER_TESTS=1 but there is no Chromium at ${CHROMIUM_PATH} (apt-get install -y chromium)`);
      });
    });
  }
  // Straight to stderr: jest drops console output of a file whose tests are all skipped.
  process.stderr.write(
    `\nSKIPPED browser tests "${name}": no Chromium at ${CHROMIUM_PATH}. ` +
      'Install it with `apt-get install -y chromium` (or set CHROMIUM_PATH); .ci/run installs it and requires these tests.\n',
  );
  describe.skip(name, body);
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export interface Demo {
  /** Where the browser opens pages; the emailed links point here too. */
  readonly url: string;
  readonly emulator: RunningEmulator;
  /** Resolves once Okta has been asked for every email a start promised (it is asked after the answer). */
  settled(): Promise<void>;
  close(): Promise<void>;
}

/**
 * Demo mode as src/index.ts runs it: no OKTA_ORG_URL, so the emulator starts in-process and
 * /dev/mailbox is mounted. The only settings are where to listen (a free loopback port, named in
 * PUBLIC_URL so the emailed links come back here) and quiet logs.
 */
export async function startDemo(environment: Record<string, string> = {}): Promise<Demo> {
  const port = await freePort();
  const publicUrl = `http://127.0.0.1:${port}`;
  let config = loadConfig({ PORT: String(port), HOST: '127.0.0.1', PUBLIC_URL: publicUrl, LOG_LEVEL: 'silent', ...environment });
  const demo = await startDemoOkta(config);
  config = withOktaOrgUrl(config, demo.emulator.url);
  const service = await startService(config, { extraRouters: demo.routers });
  return {
    url: publicUrl,
    emulator: demo.emulator,
    settled: () => afterResponses(service.deps),
    async close() {
      await service.close();
      await demo.close();
    },
  };
}

/**
 * What a browser test file shares: one Chromium for the file, a fresh context and page at the
 * given viewport for each test, and the demo modes it runs, all closed at the end. Call it inside
 * describeInBrowser; the hooks it registers fill the session before each test.
 */
export interface ChromiumSession {
  readonly browser: Browser;
  readonly context: BrowserContext;
  readonly page: Page;
  /** The file's demo mode, started once (options.demo). */
  readonly demo: Demo;
  /** Another demo mode with its own settings, closed with the file. */
  startDemo(environment?: Record<string, string>): Promise<Demo>;
  /** This test's context and page again with other options (JavaScript off, say). */
  reopen(options: BrowserContextOptions): Promise<Page>;
}

export function chromiumSession(options: { viewport: { width: number; height: number }; demo?: Record<string, string> }): ChromiumSession {
  let browser: Browser | undefined;
  let shared: Demo | undefined;
  let context: BrowserContext | undefined;
  let page: Page | undefined;
  const demos: Demo[] = [];
  const present = <T>(value: T | undefined, what: string): T => {
    if (value === undefined) throw new Error(`chromiumSession: no ${what} here (read it inside a test)`);
    return value;
  };
  beforeAll(async () => {
    [browser, shared] = await Promise.all([launchChromium(), options.demo ? startDemo(options.demo) : Promise.resolve(undefined)]);
  });
  afterAll(async () => {
    await browser?.close();
    await Promise.all([shared, ...demos].map((demo) => demo?.close()));
  });
  beforeEach(async () => {
    context = await present(browser, 'browser').newContext({ viewport: options.viewport });
    page = await context.newPage();
  });
  afterEach(async () => {
    await context?.close();
  });
  return {
    get browser() {
      return present(browser, 'browser');
    },
    get context() {
      return present(context, 'context');
    },
    get page() {
      return present(page, 'page');
    },
    get demo() {
      return present(shared, 'demo (pass options.demo)');
    },
    async startDemo(environment = {}) {
      const demo = await startDemo(environment);
      demos.push(demo);
      return demo;
    },
    async reopen(contextOptions) {
      await context?.close();
      context = await present(browser, 'browser').newContext(contextOptions);
      page = await context.newPage();
      return page;
    },
  };
}

/**
 * Runs an action that submits a form and waits for the page it leads to. waitForLoadState alone
 * can return before the submission has even started (the current page is loaded already), which
 * under load reads the old page; the next `load` event is the new one, also when a POST is
 * answered on the same URL (a wrong answer or code).
 */
export async function submitted(page: Page, action: () => Promise<unknown>): Promise<void> {
  const loaded = page.waitForEvent('load');
  await action();
  await loaded;
}

/** axe with the WCAG 2.0/2.1/2.2 A and AA rules; the message lists what failed and where. */
export async function expectNoAxeViolations(page: Page, label: string): Promise<void> {
  const results = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa']).analyze();
  const violations = results.violations.map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
  expect({ page: label, violations }).toEqual({ page: label, violations: [] });
}

export const WIDTHS = { phone: 375, desktop: 1280 } as const;

/** Full-page screenshots at phone and desktop widths, then back to the width the test had (320 px stays 320 px). */
export async function screenshots(page: Page, name: string): Promise<void> {
  mkdirSync(ARTIFACTS, { recursive: true });
  const before = page.viewportSize() ?? { width: WIDTHS.phone, height: 800 };
  for (const [label, width] of Object.entries(WIDTHS)) {
    await page.setViewportSize({ width, height: 800 });
    await page.screenshot({ path: path.join(ARTIFACTS, `${name}-${label}.png`), fullPage: true });
  }
  await page.setViewportSize(before);
}

/** Every page, every time: no axe violation in the light and dark schemes, and its screenshots. */
export async function checkPage(page: Page, name: string): Promise<void> {
  await expectNoAxeViolations(page, name);
  await screenshots(page, name);
  await page.emulateMedia({ colorScheme: 'dark' });
  await expectNoAxeViolations(page, `${name} (dark)`);
  await page.screenshot({ path: path.join(ARTIFACTS, `${name}-phone-dark.png`), fullPage: true });
  await page.emulateMedia({ colorScheme: 'light' });
}

/** The newest demo email's link for a user, as the mailbox page shows it. */
export async function openMailboxLink(page: Page, demo: Demo, login: string): Promise<void> {
  await demo.settled();
  await page.goto(`${demo.url}/dev/mailbox`);
  const mails = page.locator('li.mail', { hasText: login });
  await mails.first().locator('a.mail-link').click();
}
