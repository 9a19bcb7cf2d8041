import { createServer, type Server, type Socket } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createGitHubSource } from "../../src/code/github-source.ts";
import { COMMENT_MARKER } from "../../src/github/upsert-comment.ts";
import {
  type AppHarness,
  createShopRepo,
  INSTALLATION_ID,
  installationDeletedPayload,
  OWNER,
  pullRequestPayload,
  REPO,
  type ShopRepo,
  startAppHarness,
  waitFor,
} from "./app-harness.ts";

const GONE_INSTALLATION = 777;

/** A TCP port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : 1;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe("GitHub App failure modes", () => {
  let shop: ShopRepo;
  let strict: ShopRepo;
  let broken: ShopRepo;
  let app: AppHarness;

  beforeAll(async () => {
    [shop, strict, broken] = await Promise.all([
      createShopRepo(),
      createShopRepo("gate:\n  failOn: high\n  failClosed: true\n"),
      createShopRepo("window:\n  days: 7\ngate:\n  failOn: hihg\n"),
    ]);
    const port = await closedPort();
    app = await startAppHarness({
      // ClickHouse is configured but nothing answers on its port.
      settings: { clickhouse: { url: `http://127.0.0.1:${port}` }, telemetryTimeoutMs: 5_000 },
      fake: { pullFilesCap: 3 },
      app: {
        // GitHub's 3,000-file listing cap, scaled down to 3 on both sides.
        sourceFor: async ({ octokit, owner, repo, pullNumber, base, head }) =>
          createGitHubSource({ octokit, owner, repo, pullNumber, base, head, fileListCap: 3 }),
      },
      seed: async (fake) => {
        await fake.addRepoFromGit(OWNER, REPO, shop.dir, { installationId: INSTALLATION_ID });
        await fake.addRepoFromGit(OWNER, "strict", strict.dir, { installationId: INSTALLATION_ID });
        await fake.addRepoFromGit(OWNER, "broken", broken.dir, { installationId: INSTALLATION_ID });
        await fake.addRepoFromGit(OWNER, "gone", shop.dir, { installationId: GONE_INSTALLATION });
        for (const [repo, number, head] of [
          [REPO, 1, shop.highHead],
          [REPO, 2, shop.lowHead],
          [REPO, 3, shop.lowHead2],
          [REPO, 4, shop.wideHead],
          ["strict", 1, strict.highHead],
          ["broken", 1, broken.highHead],
          ["gone", 1, shop.highHead],
        ] as const) {
          const base =
            repo === "strict" ? strict.base : repo === "broken" ? broken.base : shop.base;
          fake.addPullRequest(OWNER, repo, { number, base, head });
        }
      },
    });
  });

  afterAll(async () => {
    await app?.close();
    await Promise.all([shop?.cleanup(), strict?.cleanup(), broken?.cleanup()]);
  });

  const analyse = async (number: number, head: string, repo = REPO, base = shop.base) => {
    const response = await app.deliver(
      "pull_request",
      pullRequestPayload("opened", { number, base, head, repo }),
    );
    expect(response.status).toBe(200);
    await app.settle();
    return app.fake.checkRuns(OWNER, repo, head).at(-1);
  };

  it("reports neutral with an explanation when ClickHouse is unreachable", async () => {
    const run = await analyse(1, shop.highHead);
    expect(run).toMatchObject({ status: "completed", conclusion: "neutral" });
    expect(run?.output.title).toContain("telemetry unavailable");
    const [comment] = app.fake.comments(OWNER, REPO, 1);
    expect(comment?.body).toMatch(/Telemetry unavailable: could not reach ClickHouse/);
    expect(comment?.body).toContain("production risk is unknown, not low");
  });

  it("fails the check when the repo's gate fails closed", async () => {
    const run = await analyse(1, strict.highHead, "strict", strict.base);
    expect(run).toMatchObject({ status: "completed", conclusion: "failure" });
    expect(run?.output.title).toContain("fails closed");
  });

  it("fails the check naming the key and line of an invalid repo config, without a comment", async () => {
    const run = await analyse(1, broken.highHead, "broken", broken.base);
    expect(run).toMatchObject({ status: "completed", conclusion: "failure" });
    expect(run?.output.title).toBe("Invalid .github/faultline.yml");
    expect(run?.output.summary).toContain(".github/faultline.yml:4: gate.failOn: must be one of");
    expect(run?.output.summary).toContain('(got "hihg")');
    expect(app.fake.comments(OWNER, "broken", 1)).toHaveLength(0);
  });

  it("retries GitHub 5xx with backoff and never duplicates a comment whose create failed after landing", async () => {
    const files = "GET /repos/:owner/:repo/pulls/:number/files";
    const createComment = "POST /repos/:owner/:repo/issues/:number/comments";
    const filesBefore = app.fake.requestsTo(files).length;
    app.fake.failNext(files, { status: 502, times: 2 });
    app.fake.failNext(createComment, { status: 502, applyFirst: true });
    const run = await analyse(2, shop.lowHead);
    expect(run).toMatchObject({ status: "completed", conclusion: "neutral" });
    expect(app.fake.requestsTo(files).length - filesBefore).toBe(3);
    const comments = app.fake.comments(OWNER, REPO, 2);
    expect(comments).toHaveLength(1);
    expect(comments[0]?.body).toContain(COMMENT_MARKER);
  });

  it("waits out primary and secondary rate limits and finishes", async () => {
    const getPull = "GET /repos/:owner/:repo/pulls/:number";
    const updateRun = "PATCH /repos/:owner/:repo/check-runs/:id";
    const before = app.fake.requestsTo(getPull).length;
    app.fake.failNext(getPull, { kind: "rate-limit", retryAfterSeconds: 1 });
    app.fake.failNext(updateRun, { kind: "secondary-rate-limit", retryAfterSeconds: 1 });
    const run = await analyse(3, shop.lowHead2);
    expect(run).toMatchObject({ status: "completed", conclusion: "neutral" });
    const limited = app.fake.requestsTo(getPull).slice(before);
    expect(limited.map((r) => r.status)).toEqual([403, 200]);
    expect(app.fake.requestsTo(updateRun).some((r) => r.status === 403)).toBe(true);
    expect(app.fake.comments(OWNER, REPO, 3)).toHaveLength(1);
  });

  it("analyses the first files of a PR over GitHub's listing cap and says so", async () => {
    const run = await analyse(4, shop.wideHead);
    expect(run?.status).toBe("completed");
    const [comment] = app.fake.comments(OWNER, REPO, 4);
    expect(comment?.body).toContain("GitHub lists at most 3 files of a pull request; 5 changed");
    const analysed = ["cards", "catalog", "discounts", "inventory", "pricing"].filter((f) =>
      comment?.body.includes(`${f}Version`),
    );
    expect(analysed).toHaveLength(3);
  });

  it("stops quietly when the app is uninstalled mid-run", async () => {
    const files = "GET /repos/:owner/:repo/pulls/:number/files";
    app.fake.failNext(files, { kind: "delay", delayMs: 600 });
    const before = app.fake.requests.length;
    await app.deliver(
      "pull_request",
      pullRequestPayload("opened", {
        number: 1,
        base: shop.base,
        head: shop.highHead,
        repo: "gone",
        installationId: GONE_INSTALLATION,
      }),
    );
    await waitFor(() => app.fake.requests.slice(before).some((r) => r.route === files));
    app.fake.uninstall(GONE_INSTALLATION);
    const removed = await app.deliver(
      "installation",
      installationDeletedPayload(GONE_INSTALLATION),
    );
    expect(removed.status).toBe(200);
    await app.settle();
    const after = app.fake.requests.slice(before);
    expect(app.fake.comments(OWNER, "gone", 1)).toHaveLength(0);
    expect(app.fake.checkRuns(OWNER, "gone", shop.highHead)[0]?.status).toBe("in_progress");
    // No retry storm against a revoked installation.
    expect(after.filter((r) => r.status === 401).length).toBeLessThanOrEqual(2);
    expect(app.logs.join("")).toContain("installation removed");
    const failed = app.logs.filter(
      (l) => l.includes("acme/gone#1") && l.includes("analysis failed"),
    );
    expect(failed).toEqual([]);
  });
});

describe("GitHub App with a ClickHouse that never answers", () => {
  let shop: ShopRepo;
  let app: AppHarness;
  let silent: Server;
  const sockets = new Set<Socket>();

  beforeAll(async () => {
    shop = await createShopRepo();
    silent = createServer((socket) => {
      sockets.add(socket);
      socket.on("close", () => sockets.delete(socket));
    });
    await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
    const address = silent.address();
    const port = typeof address === "object" && address ? address.port : 0;
    app = await startAppHarness({
      settings: {
        clickhouse: { url: `http://127.0.0.1:${port}` },
        telemetryTimeoutMs: 400,
        analysisTimeoutMs: 2_500,
      },
      seed: async (fake) => {
        await fake.addRepoFromGit(OWNER, REPO, shop.dir, { installationId: INSTALLATION_ID });
        fake.addPullRequest(OWNER, REPO, { number: 1, base: shop.base, head: shop.highHead });
        fake.addPullRequest(OWNER, REPO, { number: 2, base: shop.base, head: shop.lowHead });
      },
    });
  });

  afterAll(async () => {
    await app?.close();
    for (const socket of sockets) socket.destroy();
    await new Promise<void>((resolve) => silent.close(() => resolve()));
    await shop?.cleanup();
  });

  it("gives up after the telemetry timeout and reports neutral", async () => {
    const started = Date.now();
    await app.deliver(
      "pull_request",
      pullRequestPayload("opened", { number: 1, base: shop.base, head: shop.highHead }),
    );
    await app.settle();
    expect(Date.now() - started).toBeLessThan(10_000);
    const run = app.fake.checkRuns(OWNER, REPO, shop.highHead).at(-1);
    expect(run).toMatchObject({ status: "completed", conclusion: "neutral" });
    const [comment] = app.fake.comments(OWNER, REPO, 1);
    expect(comment?.body).toContain("ClickHouse did not answer within 0.4 s");
  });

  it("ends the check neutral when the whole analysis outlives its timeout", async () => {
    app.fake.failNext("GET /repos/:owner/:repo/pulls/:number/files", {
      kind: "delay",
      delayMs: 4_000,
    });
    await app.deliver(
      "pull_request",
      pullRequestPayload("opened", { number: 2, base: shop.base, head: shop.lowHead }),
    );
    await app.settle();
    const run = app.fake.checkRuns(OWNER, REPO, shop.lowHead).at(-1);
    expect(run).toMatchObject({ status: "completed", conclusion: "neutral" });
    expect(run?.output.title).toBe("Analysis timed out after 3 s");
    expect(app.fake.comments(OWNER, REPO, 2)).toHaveLength(0);
  });
});
