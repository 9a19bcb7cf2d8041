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
  waitFor,
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
        fake.addPullRequest(OWNER, REPO, { number: 2, base: shop.base, head: shop.lowHead });
        fake.addPullRequest(OWNER, REPO, {
          number: 3,
          base: shop.base,
          head: shop.wideHead,
          draft: true,
        });
        fake.addPullRequest(OWNER, REPO, {
          number: 4,
          base: shop.base,
          head: shop.highHead,
          headOwner: "contributor",
        });
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
    // Hold the analysis up so the webhook acknowledgements provably do not wait for it.
    app.fake.failNext("GET /repos/:owner/:repo/pulls/:number/files", {
      kind: "delay",
      delayMs: 3_000,
    });
    const responses = await Promise.all(
      Array.from({ length: 20 }, () => app.deliver("pull_request", payload)),
    );
    expect(responses.map((r) => r.status)).toEqual(Array(20).fill(200));
    const atAck = app.fake.checkRuns(OWNER, REPO, shop.lowHead);
    expect(atAck.map((r) => r.status)).toEqual(["in_progress"]);
    expect(app.fake.comments(OWNER, REPO, 1)).toHaveLength(0);
    await app.settle();
    const comments = app.fake.comments(OWNER, REPO, 1);
    expect(comments).toHaveLength(1);
    expect(comments[0]?.body).toContain(COMMENT_MARKER);
    expect(comments[0]?.user.login).toBe("faultline[bot]");
    const runs = app.fake.checkRuns(OWNER, REPO, shop.lowHead);
    expect(runs).toHaveLength(1);
    expect(runs[0]?.status).toBe("completed");
    expect(runs[0]?.conclusion).toBe("neutral");
    expect(runs[0]?.output.title).toBe("Low risk (score 11/100): production telemetry unavailable");
    expect(comments[0]?.body).toContain("[`describeSku`](https://github.com/acme/shop/blob/");
    expect(comments[0]?.body).toContain("No telemetry store configured.");
  });

  it("cancels the analysis of a superseded head and publishes the newer one", async () => {
    const files = "GET /repos/:owner/:repo/pulls/:number/files";
    app.fake.failNext(files, { kind: "delay", delayMs: 800 });
    const before = app.fake.requests.length;
    await app.deliver(
      "pull_request",
      pullRequestPayload("opened", { number: 2, base: shop.base, head: shop.lowHead }),
    );
    await waitFor(() => app.fake.requests.slice(before).some((r) => r.route === files));
    app.fake.setPullHead(OWNER, REPO, 2, shop.lowHead2);
    await app.deliver(
      "pull_request",
      pullRequestPayload("synchronize", { number: 2, base: shop.base, head: shop.lowHead2 }),
    );
    await app.settle();
    const old = app.fake.checkRuns(OWNER, REPO, shop.lowHead).at(-1);
    expect(old).toMatchObject({ status: "completed", conclusion: "cancelled" });
    expect(old?.output.title).toBe("Superseded by a newer push");
    expect(app.fake.checkRuns(OWNER, REPO, shop.lowHead2).at(-1)?.status).toBe("completed");
    const comments = app.fake.comments(OWNER, REPO, 2);
    expect(comments).toHaveLength(1);
    expect(comments[0]?.body).toContain("skuSlug");
  });

  it("skips drafts (drafts: false) until they are ready for review", async () => {
    const target = { number: 3, base: shop.base, head: shop.wideHead, draft: true };
    await app.deliver("pull_request", pullRequestPayload("opened", target));
    await app.settle();
    expect(app.fake.checkRuns(OWNER, REPO, shop.wideHead)).toHaveLength(0);
    app.fake.setDraft(OWNER, REPO, 3, false);
    await app.deliver(
      "pull_request",
      pullRequestPayload("ready_for_review", { ...target, draft: false }),
    );
    await app.settle();
    expect(app.fake.checkRuns(OWNER, REPO, shop.wideHead).at(-1)?.status).toBe("completed");
    expect(app.fake.comments(OWNER, REPO, 3)).toHaveLength(1);
  });

  it("analyses a fork's PR from the base repository's API, without its code running", async () => {
    await app.deliver(
      "pull_request",
      pullRequestPayload("opened", {
        number: 4,
        base: shop.base,
        head: shop.highHead,
        headOwner: "contributor",
      }),
    );
    await app.settle();
    expect(app.fake.checkRuns(OWNER, REPO, shop.highHead).at(-1)?.status).toBe("completed");
    const [comment] = app.fake.comments(OWNER, REPO, 4);
    expect(comment?.body).toContain("`lineTotal`");
    // Everything was read through the base repo's API; nothing asked for the fork.
    expect(app.fake.requests.some((r) => r.pathname.includes("/contributor/"))).toBe(false);
  });
});
