/**
 * A headless Chromium for tests: Debian's `chromium` driven by playwright-core, with a fresh
 * profile and no background network. `.ci/run` installs the `chromium` package.
 *
 * @example
 * const browser = await launchBrowser();
 * const page = await browser.newPage();
 * await page.goto(url);
 * await browser.close();
 */
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type BrowserContext, chromium, type Page } from "playwright-core";

export const CHROMIUM_PATH = "/usr/bin/chromium";

export interface TestBrowser {
  /** A page in the shared profile (cookies persist across pages, like one user's browser). */
  newPage(): Promise<Page>;
  readonly context: BrowserContext;
  close(): Promise<void>;
}

export async function launchBrowser(): Promise<TestBrowser> {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(
      `Chromium is not installed at ${CHROMIUM_PATH}. \`.ci/run\` installs it; locally run \`apt-get install -y chromium\`.`,
    );
  }
  const profile = mkdtempSync(join(tmpdir(), "faultline-chromium-"));
  // A persistent context is the only way to pass --user-data-dir to playwright.
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
  // Fail fast: a test page that has not answered in 10 s is broken, not slow.
  context.setDefaultTimeout(10_000);
  return {
    context,
    newPage: () => context.newPage(),
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
