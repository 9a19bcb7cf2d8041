import { ProbotOctokit } from "probot";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CheckRunRegistry, completeCheckRun } from "../../../src/github/check-runs.ts";
import { findOverride } from "../../../src/github/find-override.ts";
import type { GitHubClient } from "../../../src/github/github-client.ts";
import { loadRepoConfig } from "../../../src/github/load-repo-config.ts";
import { type FakeGitHub, startFakeGitHub } from "../../support/fake-github.ts";

const quiet = { debug() {}, info() {}, warn() {}, error() {} };

describe("check runs, repo config and overrides against the fake GitHub", () => {
  let fake: FakeGitHub;
  let octokit: GitHubClient;
  let head: string;

  beforeAll(async () => {
    fake = await startFakeGitHub();
    fake.addRepo("acme", "shop", { installationId: 3 });
    const base = fake.addCommit("acme", "shop", { "src/a.js": "export const a = 1;\n" });
    head = fake.addCommit(
      "acme",
      "shop",
      { "src/a.js": "export const a = 2;\n" },
      { parent: base },
    );
    fake.addPullRequest("acme", "shop", { number: 9, base, head });
    fake.addRepo("acme", "strict", { installationId: 3 });
    fake.addCommit("acme", "strict", {
      ".github/faultline.yml": "# strict\nrisk:\n  thresholds:\n    high: 40\n  weigths: {}\n",
    });
    fake.addRepo("acme", ".github", { installationId: 3 });
    fake.addCommit("acme", ".github", { ".github/faultline.yml": "gate:\n  failOn: critical\n" });
    fake.addRepo("acme", "plain", { installationId: 3 });
    fake.addCommit("acme", "plain", { "README.md": "hi\n" });
    octokit = new ProbotOctokit({
      auth: { token: fake.issueToken("acme", "shop") },
      baseUrl: fake.url,
      log: quiet,
      throttle: { enabled: false },
      retry: { enabled: false },
    }) as GitHubClient;
  });

  afterAll(() => fake.close());

  it("creates one check run for concurrent ensure calls and reuses an unfinished one", async () => {
    const registry = new CheckRunRegistry("Faultline");
    const target = { owner: "acme", repo: "shop", headSha: head };
    const ids = await Promise.all(
      Array.from({ length: 10 }, () => registry.ensure(octokit, target, "Analysing")),
    );
    expect(new Set(ids).size).toBe(1);
    expect(await registry.ensure(octokit, target, "Analysing")).toBe(ids[0]);
    expect(fake.checkRuns("acme", "shop", head)).toHaveLength(1);
    expect(fake.checkRuns("acme", "shop", head)[0]?.status).toBe("in_progress");
  });

  it("sends annotations 50 per request and completes once with all of them", async () => {
    const [run] = fake.checkRuns("acme", "shop", head);
    const annotations = Array.from({ length: 120 }, (_, i) => ({
      path: "src/a.js",
      start_line: i + 1,
      end_line: i + 1,
      annotation_level: "warning" as const,
      message: `risky ${i}`,
    }));
    await completeCheckRun({
      octokit,
      owner: "acme",
      repo: "shop",
      checkRunId: run!.id,
      conclusion: "failure",
      title: "High risk",
      summary: "x".repeat(70_000),
      annotations,
    });
    const done = fake.checkRuns("acme", "shop", head)[0]!;
    expect(done.annotationBatches).toEqual([50, 50, 20]);
    expect(done.annotations.map((a) => a.message)).toEqual(annotations.map((a) => a.message));
    expect(done).toMatchObject({ status: "completed", conclusion: "failure" });
    // Only the last update completes the run.
    expect(done.history.filter((h) => h.conclusion)).toHaveLength(1);
    expect(done.output.summary?.length).toBeLessThanOrEqual(65_535);
    expect(done.output.summary).toContain("Truncated");
  });

  it("names the line and key of an invalid repo config", async () => {
    const result = await loadRepoConfig({ octokit, owner: "acme", repo: "strict" });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error).toContain(".github/faultline.yml:5: risk.weigths: unknown key");
    expect(result.error).toContain("allowed: weights, thresholds");
  });

  it("falls back to the owner's .github repo, then to the defaults", async () => {
    const plain = await loadRepoConfig({ octokit, owner: "acme", repo: "plain" });
    expect(plain).toMatchObject({ ok: true, source: "acme/.github:.github/faultline.yml" });
    expect(plain.ok && plain.config.gate.failOn).toBe("critical");
    fake.failNext("GET /repos/:owner/:repo/contents/*path", { kind: "not-found", times: 2 });
    const none = await loadRepoConfig({ octokit, owner: "acme", repo: "plain" });
    expect(none).toMatchObject({ ok: true, source: null });
    expect(none.ok && none.config.gate.failOn).toBe("high");
  });

  it("finds overrides by label (credited to its adder) or by a writer's comment only", async () => {
    fake.setPermission("acme", "shop", "alice", "write");
    fake.setPermission("acme", "shop", "tim", "triage");
    const listComments = () =>
      octokit.paginate(octokit.rest.issues.listComments, {
        owner: "acme",
        repo: "shop",
        issue_number: 9,
        per_page: 100,
      });
    const params = { octokit, owner: "acme", repo: "shop", pullNumber: 9, label: "ship-it" };
    fake.addComment("acme", "shop", 9, "tim", "/faultline override because I said so");
    expect(await findOverride({ ...params, comments: await listComments() })).toBeNull();
    fake.addComment(
      "acme",
      "shop",
      9,
      "alice",
      "> /faultline override quoted\n```\n/faultline override in code\n```",
    );
    expect(await findOverride({ ...params, comments: await listComments() })).toBeNull();
    fake.addComment("acme", "shop", 9, "alice", "LGTM\n/faultline override INC-12 mitigated");
    expect(await findOverride({ ...params, comments: await listComments() })).toEqual({
      by: "alice",
      reason: "INC-12 mitigated",
    });
    fake.setLabels("acme", "shop", 9, ["ship-it"], "carol");
    expect(await findOverride({ ...params, comments: await listComments() })).toEqual({
      by: "carol",
      reason: "label `ship-it`",
    });
  });
});
