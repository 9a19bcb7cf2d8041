/**
 * The hosted setup page in a real headless Chromium: GitHub sign-in through the fake
 * GitHub's OAuth flow, saving settings, a failing and a passing "Test connection" (the
 * passing one against a real ClickHouse HTTP endpoint over chDB), and the denial of
 * anyone who is not an admin of the installation's account.
 */
import { generateKeyPairSync, randomBytes } from "node:crypto";
import { sign } from "@octokit/webhooks-methods";
import pino from "pino";
import type { Page } from "playwright-core";
import { Probot, Server } from "probot";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { defaultConfig } from "../../src/config.ts";
import { createHostedApp } from "../../src/github/hosted/hosted-app.ts";
import { createSecretBox } from "../../src/github/hosted/secret-box.ts";
import {
  createSettingsStore,
  type InstallationSettingsStore,
} from "../../src/github/hosted/settings-store.ts";
import { settingsFromEnv } from "../../src/github/settings.ts";
import { logsTableDdl, tracesTableDdl } from "../../src/telemetry/schema.ts";
import { openServerConnection } from "../../src/telemetry/server-connection.ts";
import { tableNames } from "../../src/telemetry/table-names.ts";
import { launchBrowser, type TestBrowser } from "../support/browser.ts";
import { type ChdbEndpoint, startChdbEndpoint } from "../support/chdb-endpoint.ts";
import { type FakeGitHub, startFakeGitHub } from "../support/fake-github.ts";
import { freePort } from "../support/free-port.ts";
import { spanRow } from "../support/telemetry-fixtures.ts";
import { installationDeletedPayload } from "./app-harness.ts";

const ACME = 11;
const GLOBEX = 22;

let fake: FakeGitHub;
let endpoint: ChdbEndpoint;
let settings: InstallationSettingsStore;
let server: Server;
let appUrl: string;
let browser: TestBrowser;

beforeAll(async () => {
  browser = await launchBrowser();
  fake = await startFakeGitHub();
  fake.addRepo("acme", "shop", { installationId: ACME });
  fake.addRepo("globex", "web", { installationId: GLOBEX });
  fake.setOrgMembership("acme", "alice", "admin");
  fake.setOrgMembership("globex", "bob", "admin");
  fake.setOrgMembership("acme", "carol", "member");

  endpoint = await startChdbEndpoint("faultline-hosted-setup-", async (embedded) => {
    const names = tableNames({ ...defaultConfig().telemetry, database: "otel" });
    await embedded.command("CREATE DATABASE IF NOT EXISTS otel");
    await embedded.command(tracesTableDdl(names));
    await embedded.command(logsTableDdl(names));
    await embedded.insert(
      "otel.otel_traces",
      Array.from({ length: 12 }, (_, i) =>
        spanRow({
          name: "priceCart",
          service: "checkout",
          attributes: { "code.function.name": "priceCart", "code.file.path": `src/p${i % 2}.js` },
        }),
      ),
    );
  });
  const embedded = endpoint.connection;

  const box = createSecretBox({ current: randomBytes(32).toString("base64") });
  settings = createSettingsStore(embedded, box);
  await settings.init();

  const port = await freePort();
  appUrl = `http://127.0.0.1:${port}`;
  const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const log = pino({ level: "error" });
  server = new Server({
    port,
    host: "127.0.0.1",
    log,
    Probot: Probot.defaults({
      appId: fake.appId,
      privateKey: privateKey.export({ type: "pkcs1", format: "pem" }).toString(),
      secret: "webhook-secret",
      baseUrl: fake.url,
      log,
    }),
  });
  // The real hosted composition: createApp + setup page + per-installation storeFor.
  await server.load(
    createHostedApp({
      app: settingsFromEnv({}),
      hosted: {
        settingsConnection: embedded,
        box,
        // The test's ClickHouse is on 127.0.0.1.
        allowPrivateAddresses: true,
        setup: {
          publicUrl: appUrl,
          github: { webUrl: fake.url, apiUrl: fake.url },
          oauth: { clientId: "Iv1.fakeclientid", clientSecret: "fake-client-secret" },
          openConnection: (target) => openServerConnection({ ...target, requestTimeoutMs: 5000 }),
        },
      },
    }),
  );
  await server.start();
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
  await endpoint?.close();
  await fake?.close();
});

async function signIn(page: Page, login: string, installationId: number): Promise<void> {
  fake.signInAs(login);
  await page.goto(`${appUrl}/faultline/setup?installation_id=${installationId}`);
}

async function fill(page: Page, values: Record<string, string>): Promise<void> {
  for (const [label, value] of Object.entries(values)) {
    await page.getByLabel(label, { exact: true }).fill(value);
  }
}

/** Sets a hidden input, as someone tampering with the form would. */
async function setValue(page: Page, name: string, value: string): Promise<void> {
  await page.locator(`form[action$=setup] input[name=${name}]`).evaluate((input, v) => {
    (input as unknown as { value: string }).value = v;
  }, value);
}

describe("hosted setup page in headless Chromium", () => {
  it("redirects to GitHub sign-in with a state and no secrets in the URL", async () => {
    fake.signInAs(null);
    const page = await browser.newPage();
    const response = await page.goto(`${appUrl}/faultline/setup?installation_id=${ACME}`);
    const url = new URL(page.url());
    expect(`${url.origin}${url.pathname}`).toBe(`${fake.url}/login/oauth/authorize`);
    expect(url.searchParams.get("client_id")).toBe("Iv1.fakeclientid");
    expect(url.searchParams.get("redirect_uri")).toBe(`${appUrl}/faultline/callback`);
    expect(url.searchParams.get("state")).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(url.search).not.toContain("secret");
    expect(response?.status()).toBe(401); // the fake GitHub's "not signed in"
    await page.close();
  });

  it("signs an org admin in, saves settings, keeps the password secret", async () => {
    const page = await browser.newPage();
    await signIn(page, "alice", ACME);
    await expect.poll(() => page.url()).toBe(`${appUrl}/faultline/setup?installation_id=${ACME}`);
    await page.getByRole("heading", { name: "Telemetry connection" }).waitFor();
    expect(await page.textContent("header")).toContain("alice");

    const cookies = await browser.context.cookies(appUrl);
    const session = cookies.find((c) => c.name.endsWith("faultline-session"));
    expect(session).toMatchObject({ httpOnly: true, secure: true, sameSite: "Lax" });
    expect(session?.name).toBe("__Host-faultline-session");

    await fill(page, {
      URL: endpoint.url,
      Database: "otel",
      User: "faultline_reader",
      Password: "alice-pw-9f8e7d",
      "Which services run each repository's code": "acme/shop: checkout",
    });
    await page.getByRole("button", { name: "Save" }).click();
    await page.getByRole("status").filter({ hasText: "Saved." }).waitFor();
    expect(await page.getByLabel("Password", { exact: true }).inputValue()).toBe("");
    expect(await page.content()).not.toContain("alice-pw-9f8e7d");
    await expect.poll(() => page.textContent("#password-hint")).toContain("A password is saved");

    const stored = await settings.get(ACME);
    expect(stored).toMatchObject({
      url: endpoint.url,
      database: "otel",
      username: "faultline_reader",
      password: "alice-pw-9f8e7d",
      updatedBy: "alice",
      serviceMappings: [{ repository: "acme/shop", services: ["checkout"] }],
    });
    // Reloading shows the saved values but never the password.
    await page.reload();
    expect(await page.getByLabel("URL", { exact: true }).inputValue()).toBe(endpoint.url);
    expect(await page.content()).not.toContain("alice-pw-9f8e7d");
    await page.close();
  });

  it("explains a failing connection test in plain language", async () => {
    const page = await browser.newPage();
    await signIn(page, "alice", ACME);
    const closedPort = await freePort();
    await fill(page, { URL: `http://127.0.0.1:${closedPort}` });
    await page.getByRole("button", { name: "Test connection" }).click();
    const report = page.locator("section[aria-labelledby=report-title]");
    await report.getByText("needs attention").waitFor();
    expect(await report.textContent()).toContain("Nothing accepted the connection at this URL");

    await fill(page, { URL: endpoint.url, Database: "telemetry" });
    await page.getByRole("button", { name: "Test connection" }).click();
    await report.getByText("There is no database").waitFor();
    expect(await report.textContent()).toContain("otel");
    // Testing does not save.
    expect((await settings.get(ACME))?.database).toBe("otel");
    await page.close();
  });

  it("passes a connection test against a real ClickHouse HTTP endpoint", async () => {
    const page = await browser.newPage();
    await signIn(page, "alice", ACME);
    // Password left blank: the test uses the stored one.
    await page.getByRole("button", { name: "Test connection" }).click();
    const report = page.locator("section[aria-labelledby=report-title]");
    await report.getByText("works").waitFor();
    const text = (await report.textContent()) ?? "";
    expect(text).toContain("12 spans arrived in the last 24 hours");
    expect(text).toContain("100% of those spans (12 of 12) carry code.function.name");
    expect(text).toContain("Every mapped service sent spans");
    await page.close();
  });

  it("denies other accounts' admins and non-admin members, in the page and in forged posts", async () => {
    const page = await browser.newPage();
    await signIn(page, "alice", ACME);
    const denied = await page.goto(`${appUrl}/faultline/setup?installation_id=${GLOBEX}`);
    expect(denied?.status()).toBe(403);
    expect(await page.textContent("h1")).toContain("cannot change this installation");

    // A forged post for Globex with Alice's own valid session and CSRF token.
    await page.goto(`${appUrl}/faultline/setup?installation_id=${ACME}`);
    const forged = page.waitForResponse((r) => r.request().method() === "POST");
    await setValue(page, "installation_id", "22");
    await fill(page, { URL: "https://attacker.example" });
    await page.getByRole("button", { name: "Save" }).click();
    expect((await forged).status()).toBe(403);
    await page.waitForURL(`${appUrl}/faultline/setup`);
    expect(await page.textContent("h1")).toContain("cannot change this installation");
    expect(await settings.get(GLOBEX)).toBeNull();

    // Without the CSRF token, even Alice's own installation refuses the post.
    await page.goto(`${appUrl}/faultline/setup?installation_id=${ACME}`);
    const unprotected = page.waitForResponse((r) => r.request().method() === "POST");
    await page
      .locator("form[action$=setup] input[name=csrf]")
      .evaluate((input) => (input as unknown as { remove(): void }).remove());
    await fill(page, { URL: "https://x.example" });
    await page.getByRole("button", { name: "Save" }).click();
    const noCsrf = (await unprotected).status();
    expect(noCsrf).toBe(403);
    expect((await settings.get(ACME))?.url).not.toBe("https://x.example");
    await page.close();

    // Bob (Globex admin) in his own browser sees an empty form for Globex, nothing of Acme's.
    const bobBrowser = await launchBrowser();
    try {
      const bob = await bobBrowser.newPage();
      fake.signInAs("bob");
      await bob.goto(`${appUrl}/faultline/setup?installation_id=${GLOBEX}`);
      await bob.getByRole("heading", { name: "Telemetry connection" }).waitFor();
      expect(await bob.getByLabel("URL", { exact: true }).inputValue()).toBe("");
      expect(await bob.content()).not.toContain(endpoint.url);
      const bobDenied = await bob.goto(`${appUrl}/faultline/setup?installation_id=${ACME}`);
      expect(bobDenied?.status()).toBe(403);
      // Carol is a member of Acme but not an admin.
      await bob.context().clearCookies();
      fake.signInAs("carol");
      const carol = await bob.goto(`${appUrl}/faultline/setup?installation_id=${ACME}`);
      expect(carol?.status()).toBe(403);
    } finally {
      await bobBrowser.close();
    }
  });

  it("forgets an installation's settings when the app is uninstalled", async () => {
    expect(await settings.get(ACME)).not.toBeNull();
    const body = JSON.stringify(installationDeletedPayload(ACME));
    const response = await fetch(`${appUrl}/api/github/webhooks`, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        "x-github-event": "installation",
        "x-github-delivery": "uninstall-1",
        "x-hub-signature-256": await sign("webhook-secret", body),
      },
      body,
    });
    expect(response.status).toBe(200);
    expect(await settings.get(ACME)).toBeNull();
  });
});
