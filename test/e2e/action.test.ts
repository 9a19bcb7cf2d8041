/**
 * The GitHub Action end to end, as a runner runs it: the freshly built bundle, copied to a
 * directory with no node_modules, started with `node dist/index.js`, a real pull_request
 * payload, a real git checkout, `INPUT_*`, `GITHUB_OUTPUT`/`GITHUB_STEP_SUMMARY` files,
 * the fake GitHub API, and ClickHouse over HTTP backed by chDB.
 */
import { execFile, spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { cp, mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { COMMENT_MARKER } from "../../src/github/upsert-comment.ts";
import { serialize } from "../../src/instrument/serialize.ts";
import { startClickHouseHttpServer } from "../../src/telemetry/clickhouse-http-server.ts";
import { commitFiles, git, initRepo, shallowCheckout } from "../fixtures/action/git-repo.ts";
import { pullRequestEvent } from "../fixtures/action/pull-request-event.ts";
import {
  type ActionRun,
  type RunActionOptions,
  runActionBundle,
} from "../fixtures/action/run-action-bundle.ts";
import {
  type ChdbEndpoint,
  migrateDefaultTables,
  startChdbEndpoint,
} from "../support/chdb-endpoint.ts";
import { type FakeGitHub, startFakeGitHub } from "../support/fake-github.ts";
import { expressFrames, seedFunctionTraffic, v8Stack } from "../support/telemetry-fixtures.ts";

const exec = promisify(execFile);
const OWNER = "acme";
const REPO = "shop";
const SHOP = join(import.meta.dirname, "../../examples/shop/src");

let root: string;
let entry: string;
let origin: string;
let workspace: string;
let baseSha: string;
let lowSha: string;
let highSha: string;
let mergeSha: string;
let fake: FakeGitHub;
let clickhouse: ChdbEndpoint;
let token: string;

async function shopFiles(): Promise<Record<string, string>> {
  const files: Record<string, string> = {};
  for (const name of await readdir(SHOP)) {
    files[`src/${name}`] = await readFile(join(SHOP, name), "utf8");
  }
  return files;
}

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), "faultline-action-e2e-"));

  // The bundle, built fresh and moved where no node_modules can be found.
  await exec(process.execPath, [
    "--import",
    "tsx",
    join(import.meta.dirname, "../../scripts/build-action.ts"),
    "--outdir",
    join(root, "action", "dist"),
  ]);
  entry = join(root, "action", "dist", "index.js");

  // The repository: base = the shop service, then two PR heads branching from it.
  const work = await initRepo(join(root, "work"));
  const files = await shopFiles();
  // Older history (one git fast-import), so a shallow clone stays shallow after reaching
  // the merge base and the report has to say its history is cut short.
  const history = Array.from({ length: 300 }, (_, i) =>
    [
      "commit refs/heads/main",
      `mark :${i + 1}`,
      `committer Faultline Test <test@example.com> ${1_700_000_000 + i * 60} +0000`,
      `data ${`chore: release ${i}`.length}`,
      `chore: release ${i}`,
      i > 0 ? `from :${i}` : "",
      "",
    ].join("\n"),
  ).join("");
  const imported = spawnSync("git", ["fast-import", "--quiet"], { cwd: work, input: history });
  expect(imported.status, imported.stderr.toString()).toBe(0);
  await git(work, "reset", "-q", "--hard", "main");
  baseSha = await commitFiles(work, files, "shop service");
  await git(work, "checkout", "-q", "-b", "low-risk");
  const shipping = files["src/pricing.js"]!.replace(
    "const kilos = Math.ceil(weightGrams / 1000);",
    "const kilos = Math.max(1, Math.ceil(weightGrams / 1000));",
  );
  lowSha = await commitFiles(work, { "src/pricing.js": shipping }, "shipping: bill at least 1 kg");
  await git(work, "checkout", "-q", "-b", "high-risk", baseSha);
  const cart = files["src/pricing.js"]!.replace(
    /export function priceCart\(items\) \{[\s\S]*?\n\}\n/,
    [
      "export function priceCart(items, currency) {",
      "  const lines = items.map((item) => lineTotal(item));",
      "  const subtotalCents = lines.reduce((sum, line) => sum + line.totalCents, 0);",
      "  const weightGrams = lines.reduce((sum, line) => sum + line.weightGrams, 0);",
      "  return { lines, subtotalCents, weightGrams, currency };",
      "}",
      "",
    ].join("\n"),
  );
  highSha = await commitFiles(work, { "src/pricing.js": cart }, "pricing: currency-aware carts");
  // What actions/checkout checks out on pull_request: GitHub's test merge (refs/pull/N/merge).
  await git(work, "checkout", "-q", "-b", "pull-2-merge", baseSha);
  await git(work, "merge", "-q", "--no-ff", "-m", `Merge ${highSha} into ${baseSha}`, highSha);
  mergeSha = await git(work, "rev-parse", "HEAD");
  origin = join(root, "origin.git");
  await git(root, "clone", "-q", "--bare", work, origin);
  workspace = join(root, "workspace");
  await git(root, "clone", "-q", origin, workspace);

  fake = await startFakeGitHub();
  fake.addRepo(OWNER, REPO);
  fake.addPullRequest(OWNER, REPO, { number: 1, base: baseSha, head: lowSha });
  fake.addPullRequest(OWNER, REPO, { number: 2, base: baseSha, head: highSha });
  fake.addPullRequest(OWNER, REPO, { number: 3, base: baseSha, head: highSha });
  token = fake.issueToken(OWNER, REPO);

  // Production: priceCart is hot and failing more and more; shippingCost is quiet and healthy.
  clickhouse = await startChdbEndpoint("faultline-action-chdb-", migrateDefaultTables);
  const { connection } = clickhouse;
  const now = Date.now();
  const day = 86_400_000;
  const stack = v8Stack("PricingError", "cart is empty", [
    { fn: "priceCart", file: "/usr/src/app/src/pricing.js", line: 39, column: 11 },
    { fn: "checkout", file: "/usr/src/app/src/checkout.js", line: 20, column: 17 },
    ...expressFrames("/usr/src/app"),
  ]);
  const common = { service: "shop", version: baseSha, file: "/usr/src/app/src/pricing.js" };
  await seedFunctionTraffic(connection, {
    ...common,
    functionName: "priceCart",
    calls: 3000,
    errors: 600,
    exception: { type: "PricingError", message: "cart is empty", stack },
    entrypoint: "POST /checkout",
    from: new Date(now - 13 * day),
    to: new Date(now - 60_000),
  });
  await seedFunctionTraffic(connection, {
    ...common,
    functionName: "priceCart",
    calls: 1000,
    errors: 5,
    exception: { type: "PricingError", message: "cart is empty", stack },
    from: new Date(now - 27 * day),
    to: new Date(now - 15 * day),
  });
  await seedFunctionTraffic(connection, {
    ...common,
    functionName: "shippingCost",
    calls: 40,
    from: new Date(now - 13 * day),
    to: new Date(now - 60_000),
  });
  // Captured production inputs of priceCart (faultline/instrument's attributes).
  const oneMug = [[{ sku: "MUG-01", quantity: 2 }]];
  await seedFunctionTraffic(connection, {
    ...common,
    functionName: "priceCart",
    calls: 12,
    from: new Date(now - 2 * day),
    to: new Date(now - 60_000),
    attributes: {
      "faultline.args": serialize(oneMug),
      "faultline.outcome": "return",
      "faultline.result": serialize({ subtotalCents: 2800, weightGrams: 700 }),
    },
  });
  await seedFunctionTraffic(connection, {
    ...common,
    functionName: "priceCart",
    calls: 5,
    from: new Date(now - 2 * day),
    to: new Date(now - 60_000),
    attributes: {
      "faultline.args": serialize([[]]),
      "faultline.outcome": "throw",
      "faultline.error.type": "PricingError",
      "faultline.error.message": "cart is empty",
    },
  });
});

afterAll(async () => {
  await clickhouse?.close();
  await fake?.close();
  if (root) await rm(root, { recursive: true, force: true });
});

interface RunOptions {
  draft?: boolean;
  number: number;
  head: string;
  dir?: string;
  inputs?: Record<string, string>;
}

function runAction(options: RunOptions): Promise<ActionRun> {
  return runActionBundle(baseRun(options));
}

function baseRun(options: RunOptions): RunActionOptions {
  return {
    entry,
    workspace: options.dir ?? workspace,
    event: pullRequestEvent({
      owner: OWNER,
      repo: REPO,
      number: options.number,
      base: { sha: baseSha, ref: "main" },
      head: { sha: options.head, ref: `pr-${options.number}` },
      draft: options.draft ?? false,
    }),
    inputs: {
      "clickhouse-url": clickhouse.url,
      "clickhouse-user": "default",
      "clickhouse-password": "",
      "clickhouse-database": "",
      config: ".github/faultline.yml",
      "fail-on": "",
      comment: "true",
      "github-token": token,
      base: "",
      head: "",
      ...options.inputs,
    },
    apiUrl: fake.url,
    repository: `${OWNER}/${REPO}`,
    tempDir: join(root, "runs"),
  };
}

describe("the GitHub Action bundle", () => {
  it("is self-contained: no node_modules above it", () => {
    let dir = join(root, "action", "dist");
    for (let i = 0; i < 20 && dir !== "/"; i++) {
      expect(existsSync(join(dir, "node_modules"))).toBe(false);
      dir = join(dir, "..");
    }
  });

  it("passes a low-risk change: summary, outputs, one comment, exit 0", async () => {
    const run = await runAction({ number: 1, head: lowSha });
    expect(run.stderr).not.toMatch(/Error|Warning/);
    expect(run.exitCode, run.stdout).toBe(0);
    expect(run.outputs["risk-level"]).toBe("low");
    expect(Number(run.outputs["risk-score"])).toBeLessThan(25);
    const report = JSON.parse(await readFile(run.outputs["report-json"]!, "utf8"));
    expect(report.functions.map((f: { fn: { name: string } }) => f.fn.name)).toEqual([
      "shippingCost",
    ]);
    expect(report.gate.conclusion).toBe("success");
    expect(run.outputs["risk-score"]).toBe(String(Math.round(report.score)));
    expect(existsSync(run.outputs["scenarios-dir"]!)).toBe(true);
    expect(run.summary).toContain("shippingCost");
    expect(run.summary).toMatch(/low risk/);
    const comments = fake.comments(OWNER, REPO, 1);
    expect(comments).toHaveLength(1);
    expect(comments[0]!.body).toContain(COMMENT_MARKER);
    expect(comments[0]!.body).toContain("shippingCost");
    expect(run.stdout).toContain("below fail-on high");
  });

  it("fails a high-risk change with annotations, and updates (not duplicates) its comment", async () => {
    const first = await runAction({ number: 2, head: highSha });
    expect(first.exitCode, first.stdout).toBe(1);
    expect(["high", "critical"]).toContain(first.outputs["risk-level"]);
    expect(Number(first.outputs["risk-score"])).toBeGreaterThanOrEqual(50);
    // The annotation on the function, as the runner's `::error` workflow command.
    expect(first.stdout).toMatch(
      /^::error title=Faultline%3A (high|critical) risk \(\d+\/100\) in priceCart,file=src\/pricing\.js,line=37,endLine=\d+::traffic \+/m,
    );
    expect(first.stdout).toMatch(
      /::error::Faultline: (high|critical) risk .* reaches fail-on high/,
    );
    expect(first.summary).toContain("priceCart");
    expect(first.summary).toContain("PricingError");
    expect(fake.comments(OWNER, REPO, 2)).toHaveLength(1);
    // Regression scenarios from the captured inputs, written where the output points.
    const scenarioFiles = await readdir(first.outputs["scenarios-dir"]!, { recursive: true });
    const tests = scenarioFiles.filter((file) => file.endsWith(".test.js"));
    expect(tests.length).toBeGreaterThan(0);
    const code = await readFile(join(first.outputs["scenarios-dir"]!, tests[0]!), "utf8");
    expect(code).toContain("priceCart");
    expect(code).toContain("MUG-01");

    const again = await runAction({ number: 2, head: highSha });
    expect(again.exitCode).toBe(1);
    const comments = fake.comments(OWNER, REPO, 2);
    expect(comments).toHaveLength(1);
    expect(comments[0]!.body).toContain("priceCart");
    const posts = fake
      .requestsTo("POST /repos/:owner/:repo/issues/:number/comments")
      .filter((request) => request.pathname.endsWith("/issues/2/comments"));
    expect(posts).toHaveLength(1);
    expect(again.stdout).toMatch(/Updated PR comment \d+/);
  });

  it("lets the gate pass at a higher fail-on, and posts nothing with comment: false", async () => {
    const run = await runAction({
      number: 3,
      head: highSha,
      inputs: { "fail-on": "never", comment: "false" },
    });
    expect(run.exitCode, run.stdout).toBe(0);
    expect(["high", "critical"]).toContain(run.outputs["risk-level"]);
    expect(fake.comments(OWNER, REPO, 3)).toHaveLength(0);
  });

  it("reports neutral, not low, when ClickHouse is unreachable", async () => {
    const closed = await startClickHouseHttpServer({ connection: clickhouse.connection });
    await closed.close();
    const run = await runAction({
      number: 3,
      head: highSha,
      inputs: { "clickhouse-url": closed.url, comment: "false" },
    });
    expect(run.exitCode, run.stdout).toBe(0);
    expect(run.stdout).toContain("gate neutral");
    expect(run.summary).toContain("Telemetry unavailable");
    expect(run.summary).not.toContain(new URL(closed.url).host);
    expect(run.summary).toContain("could not reach ClickHouse at the clickhouse-url server");
    const report = JSON.parse(await readFile(run.outputs["report-json"]!, "utf8"));
    expect(report.gate.conclusion).toBe("neutral");
  });

  it("fails readably where its native parsers cannot load", async () => {
    const stripped = join(root, "stripped", "dist");
    await cp(join(root, "action", "dist"), stripped, { recursive: true });
    await rm(join(stripped, "native"), { recursive: true });
    const run = await runActionBundle({
      ...baseRun({ number: 3, head: highSha, inputs: { comment: "false" } }),
      entry: join(stripped, "index.js"),
    });
    expect(run.exitCode).toBe(1);
    expect(run.stdout).toContain(
      `::error::Faultline: Faultline cannot parse code here: the Action bundles tree-sitter for linux-x64 only and this runner is ${process.platform}-${process.arch}.`,
    );
  });

  it("skips a draft pull request without outputs or comment", async () => {
    const run = await runAction({ number: 3, head: highSha, draft: true });
    expect(run.exitCode, run.stdout).toBe(0);
    expect(run.stdout).toContain("::notice::Faultline skips draft pull requests.");
    expect(run.outputs).toEqual({});
    expect(fake.comments(OWNER, REPO, 3)).toHaveLength(0);
  });

  it("fails on a wrong input, naming it, before doing anything", async () => {
    const requestsBefore = fake.requests.length;
    const run = await runAction({ number: 1, head: lowSha, inputs: { "fail-on": "hgih" } });
    expect(run.exitCode).toBe(1);
    expect(run.stdout).toContain(
      '::error::Faultline: input `fail-on` must be one of low|medium|high|critical|never (got "hgih")',
    );
    expect(run.outputs).toEqual({});
    expect(fake.requests.length).toBe(requestsBefore);
  });

  it("works from the depth-1 merge checkout by fetching base, head and the merge base", async () => {
    const dir = await shallowCheckout(origin, join(root, "shallow"), mergeSha, 1);
    const run = await runAction({ number: 2, head: highSha, dir, inputs: { comment: "false" } });
    expect(run.stdout).toContain(`Fetching ${baseSha}`);
    expect(run.stdout).toContain(`Fetching ${highSha}`);
    expect(run.exitCode, run.stdout).toBe(1);
    expect(["high", "critical"]).toContain(run.outputs["risk-level"]);
    expect(run.summary, run.stdout).toMatch(/Shallow checkout/);
  });
});
