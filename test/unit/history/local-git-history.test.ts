import { execFile } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { Octokit } from "@octokit/rest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ChangedFunction } from "../../../src/code/types.ts";
import { isFix, isRevert } from "../../../src/history/classify-commit.ts";
import { parseCodeowners } from "../../../src/history/codeowners.ts";
import { createGithubHistory } from "../../../src/history/github-history.ts";
import { createLocalGitHistory } from "../../../src/history/local-git-history.ts";
import { type FakeGitHub, startFakeGitHub } from "../../support/fake-github.ts";

const run = promisify(execFile);
const NOW = new Date("2026-11-20T12:00:00Z");
const daysAgo = (days: number) => new Date(NOW.getTime() - days * 86_400_000).toISOString();

let dir: string;
let base: string;
let revertSha: string;

async function git(args: string[], env: Record<string, string> = {}): Promise<string> {
  const { stdout } = await run("git", args, { cwd: dir, env: { ...process.env, ...env } });
  return stdout.trim();
}

async function commit(
  author: string,
  days: number,
  subject: string,
  files: Record<string, string>,
) {
  for (const [path, text] of Object.entries(files)) await writeFile(join(dir, path), text);
  await git(["add", "."]);
  const date = daysAgo(days);
  await git(["commit", "-q", "-m", subject], {
    GIT_AUTHOR_NAME: author,
    GIT_AUTHOR_EMAIL: `${author.toLowerCase()}@example.com`,
    GIT_AUTHOR_DATE: date,
    GIT_COMMITTER_NAME: author,
    GIT_COMMITTER_EMAIL: `${author.toLowerCase()}@example.com`,
    GIT_COMMITTER_DATE: date,
  });
}

const pricing = (discount: string, total: string) =>
  [
    "export function applyDiscount(price, coupon) {",
    `  return ${discount};`,
    "}",
    "",
    "export function total(items) {",
    `  return ${total};`,
    "}",
    "",
  ].join("\n");

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "faultline-history-"));
  await git(["init", "-q", "-b", "main"]);
  await commit("Ada", 200, "initial pricing", { "pricing.js": pricing("price", "0") });
  await commit("Ada", 60, "pricing: apply coupons", {
    "pricing.js": pricing("price - coupon.amount", "0"),
  });
  await commit("Lin", 30, "fix: clamp negative discounts (#12)", {
    "pricing.js": pricing("Math.max(0, price - coupon.amount)", "0"),
  });
  await commit("Lin", 20, "total: sum items", {
    "pricing.js": pricing("Math.max(0, price - coupon.amount)", "items.length"),
  });
  await commit("Bo", 10, 'Revert "fix: clamp negative discounts (#12)"', {
    "pricing.js": pricing("price - coupon.amount", "items.length"),
  });
  await commit("Bo", 5, "docs", { "README.md": "pricing\n" });
  base = await git(["rev-parse", "HEAD"]);
  revertSha = await git(["rev-parse", "HEAD~1"]);
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const applyDiscount: ChangedFunction = {
  file: "pricing.js",
  name: "applyDiscount",
  change: "modified",
  startLine: 1,
  endLine: 3,
  signatureChanged: false,
  callers: [],
  base: { file: "pricing.js", startLine: 1, endLine: 3 },
};

describe("createLocalGitHistory", () => {
  it("reads commits touching the function's own lines, with fixes, reverts, churn and authors", async () => {
    const history = createLocalGitHistory({ repo: dir, base: "main", now: NOW });
    const total: ChangedFunction = {
      ...applyDiscount,
      name: "total",
      startLine: 5,
      endLine: 7,
      base: { file: "pricing.js", startLine: 5, endLine: 7 },
    };
    const added: ChangedFunction = { ...applyDiscount, name: "fresh", change: "added" };
    delete added.base;
    const byId = await history.forFunctions([applyDiscount, total, added]);
    const h = byId.get("pricing.js#applyDiscount");
    expect(h?.recentCommits.map((c) => c.subject)).toEqual([
      'Revert "fix: clamp negative discounts (#12)"',
      "fix: clamp negative discounts (#12)",
      "pricing: apply coupons",
      "initial pricing",
    ]);
    expect(h?.recentCommits[0]?.sha).toBe(revertSha);
    expect(h?.churn90d).toBe(3);
    expect(h?.authors).toEqual(["Bo", "Lin", "Ada"]);
    expect(h?.fixes.map((c) => c.author)).toEqual(["Lin"]);
    expect(h?.reverts.map((c) => c.author)).toEqual(["Bo"]);
    // `total` was only touched by its own commits: the range is per function.
    expect(byId.get("pricing.js#total")?.recentCommits.map((c) => c.subject)).toEqual([
      "total: sum items",
      "initial pricing",
    ]);
    expect(byId.has("pricing.js#fresh")).toBe(false);
  });

  it("bounds commits per function and answers repeat lookups from its cache", async () => {
    // A clone that disappears after the first lookup: the second can only come from the cache.
    const clone = await mkdtemp(join(tmpdir(), "faultline-history-clone-"));
    try {
      await run("git", ["clone", "-q", dir, clone]);
      const history = createLocalGitHistory({ repo: clone, base: "main", now: NOW, maxCommits: 2 });
      const first = await history.forFunctions([applyDiscount]);
      expect(first.get("pricing.js#applyDiscount")?.recentCommits).toHaveLength(2);
      await rm(clone, { recursive: true, force: true });
      expect(await history.forFunctions([applyDiscount])).toEqual(first);
    } finally {
      await rm(clone, { recursive: true, force: true });
    }
  });

  it("throws a clear error for an unknown base", async () => {
    const history = createLocalGitHistory({ repo: dir, base: "no-such-branch" });
    await expect(history.forFunctions([applyDiscount])).rejects.toThrow(/no-such-branch/);
  });
});

describe("createGithubHistory", () => {
  let fake: FakeGitHub;
  beforeAll(async () => {
    fake = await startFakeGitHub();
    await fake.addRepoFromGit("acme", "shop", dir);
  });
  afterAll(async () => {
    await fake.close();
  });

  it("reads file-level history from the commits API at the base SHA", async () => {
    const octokit = new Octokit({
      baseUrl: fake.url,
      auth: `token ${fake.issueToken("acme", "shop")}`,
    });
    const history = createGithubHistory({ octokit, owner: "acme", repo: "shop", base, now: NOW });
    const h = (await history.forFunctions([applyDiscount])).get("pricing.js#applyDiscount");
    expect(h?.scope).toBe("file");
    expect(h?.recentCommits.map((c) => c.subject)).toEqual([
      'Revert "fix: clamp negative discounts (#12)"',
      "total: sum items",
      "fix: clamp negative discounts (#12)",
      "pricing: apply coupons",
      "initial pricing",
    ]);
    expect(h?.reverts).toHaveLength(1);
    expect(h?.fixes).toHaveLength(1);
    const requests = fake.requests.filter((r) => r.route === "GET /repos/:owner/:repo/commits");
    expect(requests).toHaveLength(1);
    expect(requests[0]?.query).toMatchObject({ sha: base, path: "pricing.js" });
    // The same base again (another PR on it): answered from the cache.
    const again = createGithubHistory({ octokit, owner: "acme", repo: "shop", base, now: NOW });
    expect((await again.forFunctions([applyDiscount])).get("pricing.js#applyDiscount")).toEqual(h);
    expect(fake.requests.filter((r) => r.route === "GET /repos/:owner/:repo/commits")).toHaveLength(
      1,
    );
  });
});

describe("commit classification and CODEOWNERS", () => {
  it("tells fixes from reverts by the subject", () => {
    expect(isRevert('Revert "pricing: apply coupons"')).toBe(true);
    expect(isRevert("revert: drop cache")).toBe(true);
    expect(isFix("fix(pricing): clamp")).toBe(true);
    expect(isFix("Fixes #41: crash on empty cart")).toBe(true);
    expect(isFix("hotfix for checkout")).toBe(true);
    expect(isFix('Revert "fix: clamp"')).toBe(false);
    expect(isFix("prefix the cache keys")).toBe(false);
    expect(isFix("add fixtures")).toBe(false);
  });

  it("matches CODEOWNERS like GitHub: last match wins, anchors, directories", () => {
    const owners = parseCodeowners(
      [
        "# owners",
        "*.js @acme/web",
        "/src/pricing/ @acme/pricing @dana",
        "docs/ @acme/docs",
        "src/pricing/legacy.js @lee # legacy",
      ].join("\n"),
    );
    expect(owners("src/pricing/discounts.js")).toEqual(["@acme/pricing", "@dana"]);
    expect(owners("src/pricing/legacy.js")).toEqual(["@lee"]);
    expect(owners("lib/util.js")).toEqual(["@acme/web"]);
    expect(owners("packages/a/docs/readme.md")).toEqual(["@acme/docs"]);
    expect(owners("src/other.ts")).toEqual([]);
  });
});
