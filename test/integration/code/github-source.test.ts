import { Octokit } from "@octokit/rest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { collectChanges } from "../../../src/code/collect-changes.ts";
import { createGitHubSource, type GitHubSourceOctokit } from "../../../src/code/github-source.ts";
import { type FakeGitHub, startFakeGitHub } from "../../support/fake-github.ts";
import { commitRetargetedLink, createTempRepo, type TempRepo } from "./temp-repo.ts";

// Octokit logs every 404 it sees; a missing file is an expected answer here.
const quiet = { debug() {}, info() {}, warn() {}, error() {} };

/** A GitHub source for a pull request of `repo`, which `github` serves as acme/`name`. */
async function pullRequestSource(
  github: FakeGitHub,
  name: string,
  repo: TempRepo,
  pr: { number: number; base: string; head: string },
  installationId: number,
  options: { fileListCap?: number } = {},
) {
  await github.addRepoFromGit("acme", name, repo.dir, { installationId });
  github.addPullRequest("acme", name, pr);
  const octokit = new Octokit({
    baseUrl: github.url,
    auth: github.issueToken("acme", name),
    log: quiet,
  });
  return createGitHubSource({
    octokit,
    owner: "acme",
    repo: name,
    pullNumber: pr.number,
    base: pr.base,
    head: pr.head,
    ...options,
  });
}

const routerV1 = `'use strict';
var proto = module.exports = function (options) {
  function router(req, res, next) {
    router.handle(req, res, next);
  }
  return router;
};

proto.handle = function handle(req, res, out) {
  var idx = 0;
  next();
  function next(err) {
    var layer = this.stack[idx++];
    if (!layer) return out(err);
    layer.handle_request(req, res, next);
  }
};
`;

const routerV2 = routerV1.replace(
  "if (!layer) return out(err);",
  "if (!layer) {\n      return setImmediate(out, err);\n    }",
);

describe("createGitHubSource against a local fake GitHub REST API", () => {
  let fake: FakeGitHub;
  let repo: TempRepo;
  let octokit: GitHubSourceOctokit;
  let base: string;
  let head: string;

  beforeAll(async () => {
    repo = await createTempRepo();
    base = await repo.commit({
      "lib/router.js": routerV1,
      "lib/app.js":
        "const router = require('./router');\nexports.start = function () { return router().handle(); };\n",
      "logo.png": Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 0, 0, 1]),
      // An unchanged symbolic link: a blob holding a path, which the call-site search must not read.
      "lib/alias.js": { link: "router.js" },
    });
    head = await repo.commit({
      "lib/router.js": routerV2,
      "logo.png": Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 0, 0, 2]),
      "types/index.d.ts": "export declare function handle(): void;\n",
    });
    fake = await startFakeGitHub({ pullFilesCap: 3000 });
    await fake.addRepoFromGit("acme", "shop", repo.dir, { installationId: 7 });
    fake.addPullRequest("acme", "shop", { number: 12, base, head });
    octokit = new Octokit({ baseUrl: fake.url, auth: fake.issueToken("acme", "shop"), log: quiet });
  });

  afterAll(async () => {
    await fake?.close();
    await repo?.remove();
  });

  it("lists the PR files and reads contents at the base and head SHAs", async () => {
    const source = createGitHubSource({
      octokit,
      owner: "acme",
      repo: "shop",
      pullNumber: 12,
      base,
      head,
    });
    const { files, notices } = await source.changedFiles();
    expect(files).toEqual(
      expect.arrayContaining([
        { path: "lib/router.js", status: "modified" },
        { path: "logo.png", status: "modified" },
        { path: "types/index.d.ts", status: "added" },
      ]),
    );
    expect(files).toHaveLength(3);
    expect(notices).toEqual([]);
    expect(await source.readFile(base, "lib/router.js")).toBe(routerV1);
    expect(await source.readFile(head, "lib/router.js")).toBe(routerV2);
    expect(await source.readFile(base, "types/index.d.ts")).toBeNull();
    expect(await source.readFile(head, "logo.png")).toBeNull();
    expect(await source.readFile(head, "lib/alias.js")).toBeNull();
    expect((await source.listFiles(head)).sort()).toEqual([
      "lib/app.js",
      "lib/router.js",
      "logo.png",
      "types/index.d.ts",
    ]);
  });

  it("drives the engine: the changed callback-style function, skips with reasons", async () => {
    const source = createGitHubSource({
      octokit,
      owner: "acme",
      repo: "shop",
      pullNumber: 12,
      base,
      head,
    });
    const changes = await collectChanges(source);
    expect(
      changes.functions.map((f) => [f.file, f.name, f.change, f.startLine, f.endLine]),
    ).toEqual([["lib/router.js", "proto.handle.next", "modified", 12, 18]]);
    expect(changes.functions[0]!.exported).toBe(false);
    expect(changes.skipped).toEqual([
      { file: "types/index.d.ts", reason: "type declarations (.d.ts)" },
    ]);
  });

  it("turns GitHub's file-listing cap into a visible notice", async () => {
    const capped = await startFakeGitHub({ pullFilesCap: 100 });
    try {
      const many: Record<string, string> = {};
      for (let i = 0; i < 120; i++) many[`src/f${i}.js`] = `export const f${i} = () => ${i};\n`;
      const big = await createTempRepo();
      try {
        const b = await big.commit({ "README.md": "x\n" });
        const h = await big.commit(many);
        const source = await pullRequestSource(
          capped,
          "big",
          big,
          { number: 1, base: b, head: h },
          8,
          {
            fileListCap: 100,
          },
        );
        const { files, notices } = await source.changedFiles();
        expect(files).toHaveLength(100);
        expect(notices).toEqual([
          "GitHub lists at most 100 files of a pull request; 120 changed, analysed the first 100",
        ]);
        const changes = await collectChanges(source, { callers: false });
        expect(changes.notices).toEqual(notices);
        expect(changes.functions).toHaveLength(100);
        expect(changes.functions.every((f) => f.change === "added" && f.exported)).toBe(true);
      } finally {
        await big.remove();
      }
    } finally {
      await capped.close();
    }
  });

  it("skips a changed symbolic link as one, known from the head tree's modes", async () => {
    const linked = await createTempRepo();
    try {
      const { base: b, head: h } = await commitRetargetedLink(linked);
      const source = await pullRequestSource(
        fake,
        "linked",
        linked,
        { number: 3, base: b, head: h },
        7,
      );
      const changes = await collectChanges(source);
      expect(changes.skipped).toEqual([
        { file: "src/alias.js", reason: "symbolic link (its content is a path, not source)" },
      ]);
      expect(changes.functions.map((f) => `${f.file}:${f.name}:${f.change}`)).toEqual([
        "src/ship.js:ship:modified",
      ]);
    } finally {
      await linked.remove();
    }
  });
});
