import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { COMMENT_MARKER } from "../../src/github/upsert-comment.ts";
import {
  type AppHarness,
  createShopRepo,
  INSTALLATION_ID,
  OWNER,
  pullRequestPayload,
  REPO,
  type ShopRepo,
  startAppHarness,
} from "./app-harness.ts";

describe("GitHub App end to end: webhooks, comment and check run", () => {
  let shop: ShopRepo;
  let app: AppHarness;

  beforeAll(async () => {
    shop = await createShopRepo();
    app = await startAppHarness({
      seed: async (fake) => {
        await fake.addRepoFromGit(OWNER, REPO, shop.dir, { installationId: INSTALLATION_ID });
        fake.addPullRequest(OWNER, REPO, { number: 1, base: shop.base, head: shop.lowHead });
      },
    });
  });

  afterAll(async () => {
    await app?.close();
    await shop?.cleanup();
  });

  it("rejects unsigned and wrongly signed deliveries without touching GitHub", async () => {
    const payload = pullRequestPayload("opened", {
      number: 1,
      base: shop.base,
      head: shop.lowHead,
    });
    const unsigned = await app.deliver("pull_request", payload, { signature: null });
    const wrong = await app.deliver("pull_request", payload, {
      signature: `sha256=${"0".repeat(64)}`,
    });
    expect(unsigned.status).toBeGreaterThanOrEqual(400);
    expect(wrong.status).toBeGreaterThanOrEqual(400);
    expect(app.fake.requests).toHaveLength(0);
  });

  it("answers /healthz", async () => {
    const response = await fetch(`${app.url}/healthz`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: "ok" });
  });

  it("posts exactly one comment and one check run for 20 concurrent duplicate deliveries", async () => {
    const payload = pullRequestPayload("opened", {
      number: 1,
      base: shop.base,
      head: shop.lowHead,
    });
    const started = Date.now();
    const responses = await Promise.all(
      Array.from({ length: 20 }, () => app.deliver("pull_request", payload)),
    );
    const ackMs = Date.now() - started;
    expect(responses.map((r) => r.status)).toEqual(Array(20).fill(200));
    expect(ackMs).toBeLessThan(5_000);
    await app.settle();
    const comments = app.fake.comments(OWNER, REPO, 1);
    expect(comments).toHaveLength(1);
    expect(comments[0]?.body).toContain(COMMENT_MARKER);
    expect(comments[0]?.user.login).toBe("faultline[bot]");
    const runs = app.fake.checkRuns(OWNER, REPO, shop.lowHead);
    expect(runs).toHaveLength(1);
    expect(runs[0]?.status).toBe("completed");
    console.log(runs[0]?.conclusion, runs[0]?.output.title, comments[0]?.body.slice(0, 1500));
  });
});
