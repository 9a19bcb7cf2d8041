import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ensureMergeBase } from "../../../src/action/ensure-merge-base.ts";
import { UsageError } from "../../../src/errors.ts";
import { commitFiles, git, initRepo, shallowCheckout } from "../../fixtures/action/git-repo.ts";

let root: string;
let origin: string;
let forkPoint: string;
let baseTip: string;
let headTip: string;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), "faultline-merge-base-"));
  const work = await initRepo(join(root, "work"));
  for (let i = 0; i < 12; i++) {
    await commitFiles(work, { "src/a.js": `export const a = ${i};\n` }, `base ${i}`);
  }
  forkPoint = await git(work, "rev-parse", "HEAD");
  await git(work, "checkout", "-q", "-b", "feature");
  for (let i = 0; i < 3; i++) {
    await commitFiles(work, { "src/b.js": `export const b = ${i};\n` }, `feature ${i}`);
  }
  headTip = await git(work, "rev-parse", "HEAD");
  await git(work, "checkout", "-q", "main");
  for (let i = 0; i < 70; i++) {
    await commitFiles(work, { "src/c.js": `export const c = ${i};\n` }, `main moves ${i}`);
  }
  baseTip = await git(work, "rev-parse", "HEAD");
  origin = join(root, "origin.git");
  await git(root, "clone", "-q", "--bare", work, origin);
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe("ensureMergeBase", () => {
  it("uses a complete clone as is and keeps it complete", async () => {
    const dir = join(root, "complete");
    await git(root, "clone", "-q", origin, dir);
    const result = await ensureMergeBase({ repo: dir, base: baseTip, head: headTip });
    expect(result).toMatchObject({
      base: baseTip,
      head: headTip,
      mergeBase: forkPoint,
      shallow: false,
    });
    expect(result.notices).toEqual([]);
    expect(await git(dir, "rev-parse", "--is-shallow-repository")).toBe("false");
  });

  it("fetches base and head into a depth-1 checkout and deepens until the merge base exists", async () => {
    const dir = await shallowCheckout(origin, join(root, "shallow"), headTip, 1);
    const logs: string[] = [];
    const result = await ensureMergeBase({
      repo: dir,
      base: baseTip,
      head: headTip,
      initialDepth: 10,
      log: (line) => logs.push(line),
    });
    expect(result.mergeBase).toBe(forkPoint);
    expect(result.shallow).toBe(true);
    expect(logs.some((line) => line.startsWith(`Fetching ${baseTip}`))).toBe(true);
    expect(logs.some((line) => line.includes("deepening"))).toBe(true);
    expect(result.notices.join("\n")).toMatch(/Shallow checkout.*fetch-depth: 0/);
  });

  it("resolves a branch name that only exists on the remote", async () => {
    const dir = await shallowCheckout(origin, join(root, "by-name"), headTip, 1);
    const result = await ensureMergeBase({
      repo: dir,
      base: "main",
      head: headTip,
      initialDepth: 40,
    });
    expect(result.base).toBe(baseTip);
    expect(result.mergeBase).toBe(forkPoint);
  });

  it("gives up after the bounded rounds and says how to fix it", async () => {
    const dir = await shallowCheckout(origin, join(root, "bounded"), headTip, 1);
    const attempt = ensureMergeBase({
      repo: dir,
      base: baseTip,
      head: headTip,
      initialDepth: 2,
      maxRounds: 1,
    });
    await expect(attempt).rejects.toBeInstanceOf(UsageError);
    await expect(attempt).rejects.toThrow(/does not reach the merge base.*fetch-depth: 0/);
  });

  it("says which revision it could not fetch", async () => {
    const dir = await shallowCheckout(origin, join(root, "missing"), headTip, 1);
    await expect(
      ensureMergeBase({
        repo: dir,
        base: "0123456789abcdef0123456789abcdef01234567",
        head: headTip,
      }),
    ).rejects.toThrow(
      /revision 0123456789abcdef0123456789abcdef01234567 is not in the checkout and fetching it from origin failed/,
    );
  });

  it("rejects a directory that is not a repository", async () => {
    await expect(ensureMergeBase({ repo: root, base: "a", head: "b" })).rejects.toThrow(
      /is not a git repository/,
    );
  });

  it("reports unrelated histories", async () => {
    const other = await initRepo(join(root, "unrelated"));
    const first = await commitFiles(other, { "x.js": "1;\n" }, "one");
    await git(other, "checkout", "-q", "--orphan", "other");
    const second = await commitFiles(other, { "y.js": "2;\n" }, "two");
    await expect(ensureMergeBase({ repo: other, base: first, head: second })).rejects.toThrow(
      /have no common ancestor/,
    );
  });
});
