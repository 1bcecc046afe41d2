// Browser tests of the console: the real stack (wrangler dev serving the built console and the API,
// PostgreSQL) from the e2e harness, and Debian's Chromium driven by playwright-core. One stack and one
// browser per run; every case opens its own context (cookies, storage), so cases never share a login.
// Screenshots for docs/console/ are written only when NOSTROMO_SCREENSHOTS names a folder.
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { type Browser, type BrowserContext, chromium, type Locator, type Page } from "playwright-core";
import { inject } from "vitest";
import { consoleUrls } from "../../infra/dev/console-urls.ts";
import { DEMO_ADMIN, type E2E, Http, startE2E } from "../e2e/harness.ts";

export const CHROMIUM = process.env.NOSTROMO_CHROMIUM ?? "/usr/bin/chromium";
export const DESKTOP = { width: 1280, height: 800 };
export const PHONE = { width: 390, height: 844 };

export interface ConsoleEnv {
  e2e: E2E;
  browser: Browser;
  /** The platform host: the Command Center. */
  platform: string;
  /** The demo tenant's host (demo.localhost resolves to loopback in Chromium). */
  demo: string;
  superAdmin: { email: string; password: string };
  demoAdmin: { email: string; password: string };
  /** Script errors and Content-Security-Policy refusals seen on any page so far. */
  problems: string[];
  /** The demo admin's API client (X-Tenant-ID), for setting up what a case needs. */
  api(): Promise<Http>;
  context(opts?: { phone?: boolean; dark?: boolean }): Promise<BrowserContext>;
  close(): Promise<void>;
}

/** The stack of the e2e harness (no agent) and a browser on it; close() stops both. */
export async function startConsole(name: string): Promise<ConsoleEnv> {
  const e2e = await startE2E(name);
  try {
    const env = await openConsole(e2e);
    return {
      ...env,
      async close() {
        await env.close();
        await e2e.close();
      },
    };
  } catch (err) {
    await e2e.close();
    throw err;
  }
}

/** A browser on a running stack; close() closes the browser only. */
export async function openConsole(e2e: E2E, args: string[] = []): Promise<ConsoleEnv> {
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--no-sandbox", ...args] });
  const contexts: BrowserContext[] = [];
  const problems: string[] = [];
  // The URLs `npm start` prints, without the trailing slash.
  const urls = consoleUrls(e2e.port);
  return {
    e2e,
    browser,
    problems,
    platform: urls.commandCenter.replace(/\/$/, ""),
    demo: urls.demo.replace(/\/$/, ""),
    superAdmin: inject("superAdmin"),
    demoAdmin: DEMO_ADMIN,
    async api() {
      const http = new Http(e2e.stack.url, e2e.stack.demoTenantId);
      await http.login(DEMO_ADMIN.email, DEMO_ADMIN.password);
      return http;
    },
    async context(opts = {}) {
      const ctx = await browser.newContext({
        viewport: opts.phone ? PHONE : DESKTOP,
        colorScheme: opts.dark ? "dark" : "light",
      });
      // Waits are for what the page shows, never for time; the bound is only how long a stuck page may
      // hold the queue. Playwright's 30 s default is too short for a first page load while the e2e queue
      // shares two cores with the rest of the suite.
      ctx.setDefaultTimeout(60_000);
      contexts.push(ctx);
      ctx.on("page", (page) => {
        page.on("pageerror", (err) => problems.push(`${page.url()}: ${err.message}`));
        // A refused 4xx shows as "Failed to load resource": expected (sign-in checks, wrong passwords).
        page.on("console", (msg) => {
          if (msg.type() === "error" && !msg.text().startsWith("Failed to load resource"))
            problems.push(`${page.url()}: ${msg.text()}`);
        });
      });
      return ctx;
    },
    async close() {
      for (const c of contexts) await c.close().catch(() => {});
      await browser.close().catch(() => {});
    },
  };
}

/** Fills the sign-in form and submits it with the keyboard (Enter), as a person would. */
export async function signIn(page: Page, who: { email: string; password: string }, org?: string) {
  if (org !== undefined) await page.getByLabel("Organization").fill(org);
  await page.getByLabel("Email").fill(who.email);
  await page.getByLabel("Password").fill(who.password);
  await page.getByLabel("Password").press("Enter");
}

/** True when nothing on the page is wider than the window (readable without sideways scrolling). */
export async function fitsWidth(page: Page): Promise<boolean> {
  return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth") as Promise<boolean>;
}

export async function screenshot(page: Page | Locator, name: string): Promise<void> {
  const dir = process.env.NOSTROMO_SCREENSHOTS;
  if (!dir) return;
  mkdirSync(dir, { recursive: true });
  await page.screenshot({ path: join(dir, `${name}.png`) });
}
