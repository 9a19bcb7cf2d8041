/**
 * The app as operators run it: `probot run ./src/index.ts` (what `npm start` and the
 * Dockerfile run) in its own process, configured only through the environment.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { generateKeyPairSync, randomUUID } from "node:crypto";
import { join } from "node:path";
import { sign } from "@octokit/webhooks-methods";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type FakeGitHub, startFakeGitHub } from "../support/fake-github.ts";
import { freePort } from "../support/free-port.ts";
import {
  createShopRepo,
  INSTALLATION_ID,
  OWNER,
  pullRequestPayload,
  REPO,
  type ShopRepo,
  waitFor,
} from "./app-harness.ts";

const ROOT = join(import.meta.dirname, "../..");

describe("the app process (probot run ./src/index.ts)", () => {
  let shop: ShopRepo;
  let fake: FakeGitHub;
  let child: ChildProcess;
  let output = "";
  let url = "";
  let exited: Promise<number | null>;
  const secret = `whsec-${randomUUID()}`;
  const { privateKey, publicKey } = generateKeyPairSync("rsa", {
    modulusLength: 2048,
    privateKeyEncoding: { type: "pkcs8", format: "pem" },
    publicKeyEncoding: { type: "spki", format: "pem" },
  });

  beforeAll(async () => {
    shop = await createShopRepo();
    fake = await startFakeGitHub({ appId: 4711, appPublicKey: publicKey });
    await fake.addRepoFromGit(OWNER, REPO, shop.dir, { installationId: INSTALLATION_ID });
    fake.addPullRequest(OWNER, REPO, { number: 1, base: shop.base, head: shop.highHead });
    const port = await freePort();
    url = `http://127.0.0.1:${port}`;
    child = spawn(
      process.execPath,
      ["--import", "tsx", "node_modules/probot/bin/probot.js", "run", "./src/index.ts"],
      {
        cwd: ROOT,
        env: {
          PATH: process.env.PATH,
          NODE_ENV: "production",
          APP_ID: "4711",
          PRIVATE_KEY: privateKey,
          WEBHOOK_SECRET: secret,
          HOST: "127.0.0.1",
          PORT: String(port),
          GHE_HOST: new URL(fake.url).host,
          GHE_PROTOCOL: "http",
          LOG_FORMAT: "json",
          LOG_LEVEL: "info",
          FAULTLINE_CONCURRENCY: "2",
          FAULTLINE_CHECK_NAME: "Faultline risk",
        },
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    child.stdout?.on("data", (chunk: Buffer) => {
      output += chunk.toString("utf8");
    });
    child.stderr?.on("data", (chunk: Buffer) => {
      output += chunk.toString("utf8");
    });
    exited = new Promise((resolve) => child.once("exit", (code) => resolve(code)));
    const deadline = Date.now() + 30_000;
    for (;;) {
      const ok = await fetch(`${url}/healthz`).then(
        (r) => r.ok,
        () => false,
      );
      if (ok) break;
      if (Date.now() > deadline || child.exitCode !== null) {
        throw new Error(`the app did not start:\n${output}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  });

  afterAll(async () => {
    if (child && child.exitCode === null) child.kill("SIGKILL");
    await fake?.close();
    await shop?.cleanup();
  });

  it("analyses a signed delivery, then on SIGTERM ends the unfinished check as interrupted", async () => {
    // Keep the analysis running long enough to stop the process in the middle of it.
    fake.failNext("GET /repos/:owner/:repo/pulls/:number/files", { kind: "delay", delayMs: 8_000 });
    const body = JSON.stringify(
      pullRequestPayload("opened", { number: 1, base: shop.base, head: shop.highHead }),
    );
    const delivery = randomUUID();
    const response = await fetch(`${url}/api/github/webhooks`, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        "x-github-event": "pull_request",
        "x-github-delivery": delivery,
        "x-hub-signature-256": await sign(secret, body),
      },
      body,
    });
    expect(response.status).toBe(200);
    await waitFor(
      () => fake.requests.some((r) => r.route?.endsWith("/pulls/:number/files")),
      15_000,
    );
    const [running] = fake.checkRuns(OWNER, REPO, shop.highHead);
    expect(running).toMatchObject({ name: "Faultline risk", status: "in_progress" });

    child.kill("SIGTERM");
    expect(await exited).toBe(0);
    const [stopped] = fake.checkRuns(OWNER, REPO, shop.highHead);
    expect(stopped).toMatchObject({ status: "completed", conclusion: "cancelled" });
    expect(stopped?.output.title).toBe("Interrupted: Faultline restarted");

    const lines = output
      .split("\n")
      .filter((line) => line.startsWith("{"))
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(lines.find((l) => l.msg === "analysis queued")).toMatchObject({
      deliveryId: delivery,
      pull: "acme/shop#1",
    });
    expect(output).not.toContain("PRIVATE KEY");
    expect(output).not.toContain(secret);
  });
});
