/**
 * The setup handler over plain HTTP (no browser): the sign-in's state check, security
 * headers, cross-origin posts, a personal-account installation, and GitHub refusing a code.
 */
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { assertPublicAddress } from "../../../src/github/hosted/assert-public-address.ts";
import { createSecretBox } from "../../../src/github/hosted/secret-box.ts";
import { createSettingsStore } from "../../../src/github/hosted/settings-store.ts";
import { createSetupHandler } from "../../../src/github/hosted/setup-handler.ts";
import {
  type EmbeddedConnection,
  openEmbeddedConnection,
} from "../../../src/telemetry/embedded-connection.ts";
import { type FakeGitHub, startFakeGitHub } from "../../support/fake-github.ts";

let fake: FakeGitHub;
let dir: string;
let embedded: EmbeddedConnection;
let server: Server;
let appUrl: string;
const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined };

beforeAll(async () => {
  fake = await startFakeGitHub();
  fake.addRepo("dana", "dotfiles", { installationId: 77 });
  fake.setInstallationAccount(77, "dana", "User");
  dir = mkdtempSync(join(tmpdir(), "faultline-setup-handler-"));
  embedded = await openEmbeddedConnection(dir);
  const box = createSecretBox({ current: randomBytes(32).toString("base64") });
  const settings = createSettingsStore(embedded, box);
  await settings.init();
  let handler: ReturnType<typeof createSetupHandler> | null = null;
  server = createServer((req, res) => {
    void handler?.(req, res).then((handled) => {
      if (!handled) res.writeHead(404).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  appUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  handler = createSetupHandler({
    publicUrl: appUrl,
    github: { webUrl: fake.url, apiUrl: fake.url },
    oauth: { clientId: "Iv1.fakeclientid", clientSecret: "fake-client-secret" },
    box,
    settings,
    openConnection: () => Promise.reject(new Error("not used")),
    checkAddress: assertPublicAddress,
    recheckAfterMs: 300,
    log: quiet,
  });
});

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await embedded.close();
  await fake.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Follows redirects by hand, carrying cookies like a browser (one origin's worth). */
async function browse(url: string, jar: Map<string, string>, init: RequestInit = {}) {
  let next = url;
  for (let hop = 0; hop < 10; hop++) {
    const cookie = [...jar].map(([k, v]) => `${k}=${v}`).join("; ");
    const response = await fetch(next, {
      ...init,
      redirect: "manual",
      headers: { ...(init.headers as Record<string, string>), ...(cookie ? { cookie } : {}) },
    });
    for (const header of response.headers.getSetCookie()) {
      const [pair = ""] = header.split(";");
      const eq = pair.indexOf("=");
      const value = pair.slice(eq + 1);
      if (header.includes("Max-Age=0")) jar.delete(pair.slice(0, eq));
      else jar.set(pair.slice(0, eq), value);
    }
    const location = response.headers.get("location");
    if (!location || response.status < 300 || response.status >= 400) return response;
    next = new URL(location, next).toString();
    init = {};
  }
  throw new Error("too many redirects");
}

describe("setup handler", () => {
  it("lets the owner of a personal-account installation in, with strict security headers", async () => {
    fake.signInAs("dana");
    const jar = new Map<string, string>();
    const response = await browse(`${appUrl}/faultline/setup?installation_id=77`, jar);
    expect(response.status).toBe(200);
    const html = await response.text();
    expect(html).toContain("Installation 77");
    expect(response.headers.get("content-security-policy")).toContain("default-src 'none'");
    expect(response.headers.get("content-security-policy")).toContain("frame-ancestors 'none'");
    expect(response.headers.get("cache-control")).toBe("no-store");
    expect(response.headers.get("x-frame-options")).toBe("DENY");
    // The sign-in cookie is cleared after use; only the session remains.
    expect([...jar.keys()]).toEqual(["__Host-faultline-session"]);

    // A post from another origin is refused even with the right session and token.
    const csrf = /name="csrf" value="([^"]+)"/.exec(html)?.[1] ?? "";
    const body = new URLSearchParams({
      csrf,
      installation_id: "77",
      intent: "save",
      url: "https://ch.example",
    });
    const cookie = [...jar].map(([k, v]) => `${k}=${v}`).join("; ");
    const crossSite = await fetch(`${appUrl}/faultline/setup`, {
      method: "POST",
      body,
      headers: { cookie, origin: "https://evil.example" },
    });
    expect(crossSite.status).toBe(403);
    const sameSite = await fetch(`${appUrl}/faultline/setup`, {
      method: "POST",
      body,
      headers: { cookie, origin: appUrl },
    });
    expect(sameSite.status).toBe(200);
    expect(await sameSite.text()).toContain("Saved.");
  });

  it("refuses ClickHouse URLs in private networks, for saving and for testing", async () => {
    fake.signInAs("dana");
    const jar = new Map<string, string>();
    const page = await (await browse(`${appUrl}/faultline/setup?installation_id=77`, jar)).text();
    const csrf = /name="csrf" value="([^"]+)"/.exec(page)?.[1] ?? "";
    const cookie = [...jar].map(([k, v]) => `${k}=${v}`).join("; ");
    for (const [intent, url] of [
      ["save", "http://127.0.0.1:8123"],
      ["test", "http://169.254.169.254"],
      ["save", "http://[::1]:8123"],
      ["test", "http://localhost:8123"],
    ]) {
      const response = await fetch(`${appUrl}/faultline/setup`, {
        method: "POST",
        body: new URLSearchParams({
          csrf,
          installation_id: "77",
          intent: intent ?? "",
          url: url ?? "",
        }),
        headers: { cookie, origin: appUrl },
      });
      expect(response.status, url).toBe(422);
      expect(await response.text()).toContain("private or local network");
    }
  });

  it("says which field to correct and how, in the page's words", async () => {
    fake.signInAs("dana");
    const jar = new Map<string, string>();
    const page = await (await browse(`${appUrl}/faultline/setup?installation_id=77`, jar)).text();
    const csrf = /name="csrf" value="([^"]+)"/.exec(page)?.[1] ?? "";
    const cookie = [...jar].map(([k, v]) => `${k}=${v}`).join("; ");
    const post = (fields: Record<string, string>) =>
      fetch(`${appUrl}/faultline/setup`, {
        method: "POST",
        body: new URLSearchParams({ csrf, installation_id: "77", intent: "save", ...fields }),
        headers: { cookie, origin: appUrl },
      });
    const table = await post({ url: "https://ch.example", tracesTable: "otel-traces" });
    expect(table.status).toBe(422);
    expect(await table.text()).toContain(
      "Please correct the traces table: letters, digits and _ only, starting with a letter.",
    );
    const mapping = await post({
      url: "https://ch.example",
      serviceMappings: "acme/api: billing\nacme/shop cart",
    });
    expect(await mapping.text()).toContain(
      'Please correct the service mapping: line 2 should read "owner/repo: service-a, service-b".',
    );
  });

  it("re-checks with GitHub for an installation added after signing in, then denies for real", async () => {
    fake.addRepo("erin", "notes", { installationId: 88 });
    fake.setInstallationAccount(88, "erin", "User");
    fake.signInAs("erin");
    const jar = new Map<string, string>();
    expect((await browse(`${appUrl}/faultline/setup?installation_id=88`, jar)).status).toBe(200);
    // Erin installs the app on a second account of hers.
    fake.addRepo("erin", "blog", { installationId: 89 });
    fake.setInstallationAccount(89, "erin", "User");
    await new Promise((resolve) => setTimeout(resolve, 350));
    const authorizeCalls = fake.requestsTo("GET /login/oauth/authorize").length;
    const added = await browse(`${appUrl}/faultline/setup?installation_id=89`, jar);
    expect(added.status).toBe(200);
    expect(await added.text()).toContain("Installation 89");
    expect(fake.requestsTo("GET /login/oauth/authorize")).toHaveLength(authorizeCalls + 1);
    // Dana's installation: the fresh session is re-checked no more; the answer is no.
    const denied = await browse(`${appUrl}/faultline/setup?installation_id=77`, jar);
    expect(denied.status).toBe(403);
    expect(fake.requestsTo("GET /login/oauth/authorize")).toHaveLength(authorizeCalls + 1);
  });

  it("refuses a callback whose state does not match this browser's sign-in", async () => {
    fake.signInAs("dana");
    const jar = new Map<string, string>();
    const start = await fetch(`${appUrl}/faultline/setup?installation_id=77`, {
      redirect: "manual",
    });
    const authorize = new URL(start.headers.get("location") ?? "");
    expect(authorize.searchParams.get("state")).toBeTruthy();
    // A callback with an attacker's code and state, without this browser's sign-in cookie.
    const forged = await browse(`${appUrl}/faultline/callback?code=fakecode_1&state=abc`, jar);
    expect(forged.status).toBe(400);
    expect(await forged.text()).toContain("could not be matched to this browser");
    expect(jar.has("__Host-faultline-session")).toBe(false);
  });

  it("says so when GitHub refuses the sign-in code", async () => {
    fake.signInAs("dana");
    // The browser signs in properly, but the code it brings back is one GitHub refuses.
    const first = await fetch(`${appUrl}/faultline/setup?installation_id=77`, {
      redirect: "manual",
    });
    const signInCookie = first.headers.getSetCookie()[0]?.split(";")[0] ?? "";
    const state = new URL(first.headers.get("location") ?? "").searchParams.get("state") ?? "";
    const replay = await fetch(`${appUrl}/faultline/callback?code=spent-code&state=${state}`, {
      headers: { cookie: signInCookie },
      redirect: "manual",
    });
    expect(replay.status).toBe(502);
    expect(await replay.text()).toContain("GitHub did not confirm who you are");
  });
});
