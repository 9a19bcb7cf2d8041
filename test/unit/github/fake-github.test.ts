import { execFile } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { Octokit } from "@octokit/rest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type FakeGitHub, startFakeGitHub } from "../../support/fake-github.ts";

const exec = promisify(execFile);

describe("fake GitHub", () => {
  let fake: FakeGitHub;
  let dir: string;
  let base: string;
  let head: string;
  let octokit: Octokit;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "fake-gh-"));
    const git = (...args: string[]) => exec("git", args, { cwd: dir });
    await git("init", "-q", "-b", "main");
    await git("config", "user.email", "dev@example.com");
    await git("config", "user.name", "dev");
    await writeFile(join(dir, "a.js"), "function a() {\n  return 1;\n}\n");
    await writeFile(join(dir, "old.js"), "export const x = () => 42;\n// padding line\n");
    await git("add", ".");
    await git("commit", "-q", "-m", "base");
    base = (await git("rev-parse", "HEAD")).stdout.trim();
    await git("checkout", "-q", "-b", "feature");
    await writeFile(join(dir, "a.js"), "function a() {\n  return 2;\n}\n");
    await git("mv", "old.js", "new.js");
    await git("commit", "-q", "-am", "fix: change a");
    head = (await git("rev-parse", "HEAD")).stdout.trim();
    fake = await startFakeGitHub({ pullFilesCap: 1 });
    await fake.addRepoFromGit("acme", "shop", dir, { installationId: 9 });
    fake.addPullRequest("acme", "shop", { number: 3, base, head });
    octokit = new Octokit({ baseUrl: fake.url, auth: fake.issueToken("acme", "shop") });
  });

  afterAll(async () => {
    await fake.close();
    await rm(dir, { recursive: true, force: true });
  });

  it("lists PR files from git with renames and patches, capped like GitHub", async () => {
    const { data: pull } = await octokit.rest.pulls.get({
      owner: "acme",
      repo: "shop",
      pull_number: 3,
    });
    expect(pull.changed_files).toBe(2);
    const files = await octokit.paginate(octokit.rest.pulls.listFiles, {
      owner: "acme",
      repo: "shop",
      pull_number: 3,
      per_page: 100,
    });
    expect(files).toHaveLength(1);
    expect(files[0]).toMatchObject({ filename: "a.js", status: "modified" });
    expect(files[0]?.patch).toContain("+  return 2;");
    const compare = await octokit.rest.repos.compareCommitsWithBasehead({
      owner: "acme",
      repo: "shop",
      basehead: `${base}...${head}`,
    });
    expect(compare.data.files?.find((f) => f.filename === "new.js")).toMatchObject({
      status: "renamed",
      previous_filename: "old.js",
    });
  });

  it("serves contents at a ref, base64 and raw", async () => {
    const { data } = await octokit.rest.repos.getContent({
      owner: "acme",
      repo: "shop",
      path: "a.js",
      ref: base,
    });
    expect("content" in data && Buffer.from(data.content, "base64").toString()).toContain(
      "return 1",
    );
    const raw = await octokit.request("GET /repos/{owner}/{repo}/contents/{path}", {
      owner: "acme",
      repo: "shop",
      path: "a.js",
      ref: head,
      mediaType: { format: "raw" },
    });
    expect(String(raw.data)).toContain("return 2");
  });

  it("paginates comments and rejects bad credentials", async () => {
    for (let i = 0; i < 5; i++) fake.addComment("acme", "shop", 3, "alice", `c${i}`);
    const all = await octokit.paginate(octokit.rest.issues.listComments, {
      owner: "acme",
      repo: "shop",
      issue_number: 3,
      per_page: 2,
    });
    expect(all.map((c) => c.body)).toEqual(["c0", "c1", "c2", "c3", "c4"]);
    const stranger = new Octokit({ baseUrl: fake.url, auth: "ghs_nope" });
    await expect(stranger.rest.repos.get({ owner: "acme", repo: "shop" })).rejects.toMatchObject({
      status: 401,
    });
  });

  it("injects faults on the next matching requests only", async () => {
    fake.failNext("GET /repos/:owner/:repo", { kind: "error", status: 503, times: 2 });
    await expect(octokit.rest.repos.get({ owner: "acme", repo: "shop" })).rejects.toMatchObject({
      status: 503,
    });
    await expect(octokit.rest.repos.get({ owner: "acme", repo: "shop" })).rejects.toMatchObject({
      status: 503,
    });
    const ok = await octokit.rest.repos.get({ owner: "acme", repo: "shop" });
    expect(ok.data.default_branch).toBe("main");
    fake.failNext("GET /repos/:owner/:repo", { kind: "rate-limit" });
    const limited = await octokit.rest.repos
      .get({ owner: "acme", repo: "shop" })
      .catch((e: unknown) => e);
    expect(limited).toMatchObject({
      status: 403,
      response: { headers: { "x-ratelimit-remaining": "0" } },
    });
  });

  it("caps annotations at 50 per check-run request and lists commits touching a path", async () => {
    const run = await octokit.rest.checks.create({
      owner: "acme",
      repo: "shop",
      name: "Faultline",
      head_sha: head,
      status: "in_progress",
    });
    const annotation = {
      path: "a.js",
      start_line: 1,
      end_line: 3,
      annotation_level: "warning" as const,
      message: "m",
    };
    await expect(
      octokit.rest.checks.update({
        owner: "acme",
        repo: "shop",
        check_run_id: run.data.id,
        output: { title: "t", summary: "s", annotations: Array(51).fill(annotation) },
      }),
    ).rejects.toMatchObject({ status: 422 });
    const commits = await octokit.rest.repos.listCommits({
      owner: "acme",
      repo: "shop",
      sha: head,
      path: "a.js",
    });
    expect(commits.data.map((c) => c.commit.message)).toEqual(["fix: change a", "base"]);
  });
});
