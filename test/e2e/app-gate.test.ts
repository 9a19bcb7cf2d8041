import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { COMMENT_MARKER } from "../../src/github/upsert-comment.ts";
import {
  type ChdbEndpoint,
  migrateDefaultTables,
  startChdbEndpoint,
} from "../support/chdb-endpoint.ts";
import { expressFrames, seedFunctionTraffic, v8Stack } from "../support/telemetry-fixtures.ts";
import {
  type AppHarness,
  checkRunRerequestedPayload,
  checkSuiteRerequestedPayload,
  createShopRepo,
  INSTALLATION_ID,
  issueCommentPayload,
  OWNER,
  pullRequestPayload,
  REPO,
  type ShopRepo,
  startAppHarness,
} from "./app-harness.ts";

const DAY = 86_400_000;

describe("GitHub App end to end with production telemetry: gate, update, override, rerun", () => {
  let shop: ShopRepo;
  let app: AppHarness;
  let clickhouse: ChdbEndpoint;

  beforeAll(async () => {
    shop = await createShopRepo();
    clickhouse = await startChdbEndpoint("faultline-app-chdb-", migrateDefaultTables);
    const { connection } = clickhouse;
    // Production: lineTotal is on every checkout and its failures are climbing.
    const now = Date.now();
    const stack = v8Stack("PricingError", "at most 20 of KB-01 per order", [
      { fn: "lineTotal", file: "/usr/src/app/src/pricing.js", line: 26, column: 11 },
      { fn: "priceCart", file: "/usr/src/app/src/pricing.js", line: 39, column: 29 },
      ...expressFrames("/usr/src/app"),
    ]);
    const common = {
      service: "shop",
      version: shop.base,
      file: "/usr/src/app/src/pricing.js",
      functionName: "lineTotal",
      exception: { type: "PricingError", message: "at most 20 of KB-01 per order", stack },
      entrypoint: "POST /checkout",
    };
    await seedFunctionTraffic(connection, {
      ...common,
      calls: 3000,
      errors: 450,
      from: new Date(now - 13 * DAY),
      to: new Date(now - 60_000),
    });
    await seedFunctionTraffic(connection, {
      ...common,
      calls: 2000,
      errors: 4,
      from: new Date(now - 27 * DAY),
      to: new Date(now - 15 * DAY),
    });

    app = await startAppHarness({
      settings: { clickhouse: { url: clickhouse.url } },
      seed: async (fake) => {
        await fake.addRepoFromGit(OWNER, REPO, shop.dir, { installationId: INSTALLATION_ID });
        fake.addPullRequest(OWNER, REPO, { number: 1, base: shop.base, head: shop.lowHead });
        for (const number of [2, 3, 4]) {
          fake.addPullRequest(OWNER, REPO, { number, base: shop.base, head: shop.highHead });
        }
        fake.setPermission(OWNER, REPO, "alice", "maintain");
        fake.setPermission(OWNER, REPO, "mallory", "triage");
      },
    });
  });

  afterAll(async () => {
    await app?.close();
    await clickhouse?.close();
    await shop?.cleanup();
  });

  const open = async (number: number, head: string) => {
    const response = await app.deliver(
      "pull_request",
      pullRequestPayload("opened", { number, base: shop.base, head }),
    );
    expect(response.status).toBe(200);
    await app.settle();
  };
  const latestRun = (head: string) => app.fake.checkRuns(OWNER, REPO, head).at(-1);

  it("passes a low-risk PR and fails a high-risk one, with annotations on the risky function", async () => {
    await open(1, shop.lowHead);
    const low = latestRun(shop.lowHead);
    expect(low).toMatchObject({ status: "completed", conclusion: "success" });
    expect(low?.output.title).toMatch(/^Low risk/);

    await open(2, shop.highHead);
    const high = latestRun(shop.highHead);
    expect(high).toMatchObject({ status: "completed", conclusion: "failure" });
    expect(high?.output.title).toMatch(/^(High|Critical) risk .* reaches the gate/);
    expect(high?.output.summary).toContain("lineTotal");
    expect(high?.annotations.map((a) => [a.path, a.annotation_level])).toContainEqual([
      "src/pricing.js",
      "failure",
    ]);
    const [comment] = app.fake.comments(OWNER, REPO, 2);
    expect(comment?.body).toContain(COMMENT_MARKER);
    expect(comment?.body).toContain("`lineTotal`");
    expect(comment?.body).toMatch(/PricingError/);
  });

  it("updates the one comment in place on synchronize and checks the new head", async () => {
    const [before] = app.fake.comments(OWNER, REPO, 1);
    expect(before?.body).toContain("describeSku");
    app.fake.setPullHead(OWNER, REPO, 1, shop.lowHead2);
    const response = await app.deliver(
      "pull_request",
      pullRequestPayload("synchronize", { number: 1, base: shop.base, head: shop.lowHead2 }),
    );
    expect(response.status).toBe(200);
    await app.settle();
    const after = app.fake.comments(OWNER, REPO, 1);
    expect(after).toHaveLength(1);
    expect(after[0]?.id).toBe(before?.id);
    expect(after[0]?.body).toContain("skuSlug");
    expect(after[0]?.body).toContain(shop.lowHead2.slice(0, 7));
    expect(latestRun(shop.lowHead2)).toMatchObject({ status: "completed", conclusion: "success" });
  });

  it("turns a failure into success on `/faultline override` from a maintainer, not from a triager", async () => {
    await open(3, shop.highHead);
    expect(latestRun(shop.highHead)?.conclusion).toBe("failure");
    const runsBefore = app.fake.checkRuns(OWNER, REPO, shop.highHead).length;

    const denied = app.fake.addComment(OWNER, REPO, 3, "mallory", "/faultline override trust me");
    await app.deliver("issue_comment", issueCommentPayload(3, "mallory", denied.body, denied.id));
    await app.settle();
    expect(app.fake.reactions(denied.id)).toEqual(["-1"]);
    expect(app.fake.checkRuns(OWNER, REPO, shop.highHead)).toHaveLength(runsBefore);

    const body =
      "Checked with the pricing team.\n/faultline override hotfix for INC-7, limit verified";
    const granted = app.fake.addComment(OWNER, REPO, 3, "alice", body);
    await app.deliver("issue_comment", issueCommentPayload(3, "alice", body, granted.id));
    await app.settle();
    expect(app.fake.reactions(granted.id)).toEqual(["+1"]);
    const run = latestRun(shop.highHead);
    expect(run).toMatchObject({ status: "completed", conclusion: "success" });
    expect(run?.output.title).toContain("overridden by alice");
    const comments = app.fake
      .comments(OWNER, REPO, 3)
      .filter((c) => c.body.includes(COMMENT_MARKER));
    expect(comments).toHaveLength(1);
    expect(comments[0]?.body).toContain("alice");
    expect(comments[0]?.body).toContain("hotfix for INC-7, limit verified");
  });

  it("overrides through the configured label, crediting whoever added it", async () => {
    await open(4, shop.highHead);
    expect(latestRun(shop.highHead)?.conclusion).toBe("failure");
    app.fake.setLabels(OWNER, REPO, 4, ["faultline:override"], "bob");
    const payload = pullRequestPayload(
      "labeled",
      { number: 4, base: shop.base, head: shop.highHead },
      { label: { name: "faultline:override", color: "ededed" } },
    );
    await app.deliver("pull_request", payload);
    await app.settle();
    const run = latestRun(shop.highHead);
    expect(run).toMatchObject({ status: "completed", conclusion: "success" });
    expect(run?.output.title).toContain("overridden by bob");
  });

  it("re-analyses on `/faultline rerun`, the check's Re-run and Re-run all checks", async () => {
    const runs = () => app.fake.checkRuns(OWNER, REPO, shop.highHead).length;
    const before = runs();
    const rerun = app.fake.addComment(OWNER, REPO, 2, "alice", "/faultline rerun");
    await app.deliver("issue_comment", issueCommentPayload(2, "alice", rerun.body, rerun.id));
    await app.settle();
    expect(runs()).toBe(before + 1);
    await app.deliver("check_run", checkRunRerequestedPayload("Faultline", shop.highHead, 2));
    await app.settle();
    expect(runs()).toBe(before + 2);
    await app.deliver("check_suite", checkSuiteRerequestedPayload(shop.highHead, 2));
    await app.settle();
    expect(runs()).toBe(before + 3);
    expect(latestRun(shop.highHead)).toMatchObject({ status: "completed", conclusion: "failure" });
    const ours = app.fake.comments(OWNER, REPO, 2).filter((c) => c.body.includes(COMMENT_MARKER));
    expect(ours).toHaveLength(1);
  });

  it("logs structured lines with PR and delivery ids and never a secret", () => {
    const lines = app.logs.map((line) => JSON.parse(line) as Record<string, unknown>);
    const published = lines.filter((l) => l.msg === "analysis published");
    expect(published.length).toBeGreaterThan(0);
    expect(published[0]).toMatchObject({ pull: expect.stringMatching(/^acme\/shop#\d+$/) });
    expect(published[0]?.deliveryId).toEqual(expect.any(String));
    const text = app.logs.join("");
    expect(text).not.toContain(app.secret);
    expect(text).not.toMatch(/ghs_fake_/);
    expect(text).not.toContain("BEGIN PRIVATE KEY");
  });
});
