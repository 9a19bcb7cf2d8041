import { execFile } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTempRepo, type TempRepo } from "./temp-repo.ts";

const run = promisify(execFile);
const bin = fileURLToPath(new URL("../../../bin/faultline.js", import.meta.url));

async function faultline(...args: string[]) {
  try {
    const { stdout, stderr } = await run(process.execPath, [bin, ...args]);
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

describe("faultline diff (the CLI contract)", () => {
  let repo: TempRepo;
  let base: string;
  let head: string;

  beforeAll(async () => {
    repo = await createTempRepo();
    base = await repo.commit({
      "lib/app.js":
        "const handlers = {\n  list(req, res) { res.json([]); },\n};\nmodule.exports = handlers;\n",
      "lib/server.js":
        "const handlers = require('./app');\nfunction start(app) {\n  app.get('/', (req, res) => handlers.list(req, res));\n}\nmodule.exports = { start };\n",
    });
    head = await repo.commit({
      "lib/app.js":
        "const handlers = {\n  list(req, res) { res.json(db.all()); },\n};\nmodule.exports = handlers;\n",
    });
  });

  afterAll(async () => {
    await repo?.remove();
  });

  it("prints the JSON change set", async () => {
    const { code, stdout } = await faultline(
      "diff",
      "--repo",
      repo.dir,
      "--base",
      base,
      "--head",
      "HEAD",
    );
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toEqual({
      base,
      head,
      functions: [
        {
          file: "lib/app.js",
          name: "handlers.list",
          change: "modified",
          startLine: 2,
          endLine: 2,
          signatureChanged: false,
          callers: [{ file: "lib/server.js", line: 3, function: "start.<anonymous>" }],
          changeRatio: expect.any(Number),
          exported: true,
          base: { file: "lib/app.js", startLine: 2, endLine: 2 },
        },
      ],
      skipped: [],
      notices: [],
    });
  });

  it("prints a table", async () => {
    const { code, stdout } = await faultline(
      "diff",
      "--repo",
      repo.dir,
      "--base",
      "HEAD~1",
      "--format",
      "table",
    );
    expect(code).toBe(0);
    expect(stdout).toContain("modified  lib/app.js:2-2  handlers.list  1 caller");
  });

  it.each([
    [["--repo", "/nonexistent/faultline"], /no such directory/],
    [["--base", "no-such-branch"], /--base no-such-branch: unknown revision/],
    [["--head", "deadbeef"], /--head deadbeef: unknown revision/],
    [["--format", "xml"], /--format xml: use json or table/],
  ])("exits 2 with one clear line for %j", async (args, message) => {
    const withRepo = args[0] === "--repo" ? args : ["--repo", repo.dir, ...args];
    const { code, stdout, stderr } = await faultline("diff", ...withRepo);
    expect(code).toBe(2);
    expect(stdout).toBe("");
    expect(stderr.trim().split("\n")).toHaveLength(1);
    expect(stderr).toMatch(message);
  });

  it("exits 2 for a directory that is not a git repository", async () => {
    const plain = await mkdtemp(join(tmpdir(), "faultline-not-git-"));
    try {
      const { code, stderr } = await faultline("diff", "--repo", plain);
      expect(code).toBe(2);
      expect(stderr).toMatch(/is not a git repository/);
    } finally {
      await rm(plain, { recursive: true, force: true });
    }
  });

  it("exits 2 on an unknown flag and documents the contract in --help", async () => {
    expect((await faultline("diff", "--bogus")).code).toBe(2);
    const help = await faultline("diff", "--help");
    expect(help.code).toBe(0);
    expect(help.stdout).toContain("--base <rev>");
    expect(help.stdout).toContain('"change":"added|modified|removed"');
  });
});
