/**
 * Runs the real Faultline Probot app on 127.0.0.1 against the fake GitHub, and delivers
 * webhooks to it signed with the app's secret, built from `@octokit/webhooks-examples`.
 */
import { execFile } from "node:child_process";
import { generateKeyPairSync, randomUUID } from "node:crypto";
import { cp, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { promisify } from "node:util";
import examples from "@octokit/webhooks-examples";
import { sign } from "@octokit/webhooks-methods";
import Bottleneck from "bottleneck";
import { pino } from "pino";
import { Probot, ProbotOctokit, Server } from "probot";
import { createInProcessQueue, type InProcessQueue } from "../../src/github/analysis-queue.ts";
import { type AppOptions, createApp } from "../../src/github/app.ts";
import { type AppSettings, settingsFromEnv } from "../../src/github/settings.ts";
import {
  type FakeGitHub,
  type FakeGitHubOptions,
  startFakeGitHub,
} from "../support/fake-github.ts";
import { freePort } from "../support/free-port.ts";

const exec = promisify(execFile);

export const OWNER = "acme";
export const REPO = "shop";
export const INSTALLATION_ID = 4242;
const SHOP_SOURCE = join(import.meta.dirname, "../../examples/shop/src");

export interface AppHarness {
  fake: FakeGitHub;
  /** The app's base URL (`http://127.0.0.1:port`). */
  url: string;
  secret: string;
  queue: InProcessQueue;
  /** Every log line the app wrote, as JSON text. */
  logs: string[];
  /** POSTs a webhook; signs it with the app's secret unless `signature` is given (null: unsigned). */
  deliver(
    event: string,
    payload: object,
    options?: { signature?: string | null; id?: string },
  ): Promise<Response>;
  /** Waits until the queue has nothing queued or running. */
  settle(): Promise<void>;
  close(): Promise<void>;
}

export interface HarnessOptions {
  settings?: Partial<AppSettings>;
  app?: Partial<AppOptions>;
  fake?: FakeGitHubOptions;
  /** Runs before the app starts (seed repos, PRs). */
  seed?: (fake: FakeGitHub) => Promise<void> | void;
}

export async function startAppHarness(options: HarnessOptions = {}): Promise<AppHarness> {
  const { privateKey, publicKey } = generateKeyPairSync("rsa", {
    modulusLength: 2048,
    privateKeyEncoding: { type: "pkcs8", format: "pem" },
    publicKeyEncoding: { type: "spki", format: "pem" },
  });
  const appId = 31337;
  const fake = await startFakeGitHub({ appId, appPublicKey: publicKey, ...options.fake });
  await options.seed?.(fake);
  const secret = `whsec-${randomUUID()}`;
  const logs: string[] = [];
  const log = pino(
    { level: "debug" },
    new Writable({
      write(chunk: Buffer, _encoding, done) {
        logs.push(chunk.toString("utf8"));
        done();
      },
    }),
  );
  // Same retry/throttling behaviour as production, on a faster clock: retries wait
  // milliseconds instead of seconds and writes are not spaced a second apart.
  // (A function default: Probot rebuilds installation clients from plain options, and
  // only a function is applied again each time.)
  const write = new Bottleneck.Group({ maxConcurrent: 4, minTime: 0 });
  const Octokit = ProbotOctokit.defaults((options: Record<string, Record<string, unknown>>) => ({
    ...options,
    retry: { ...options.retry, retryAfterBaseValue: 5 },
    throttle: { ...options.throttle, retryAfterBaseValue: 5, write },
  }));
  const port = await freePort();
  const server = new Server({
    Probot: Probot.defaults({ appId, privateKey, secret, baseUrl: fake.url, Octokit, log }),
    host: "127.0.0.1",
    port,
    log,
    enableStaticFiles: false,
  });
  let queue: InProcessQueue | null = null;
  const settings = { ...settingsFromEnv({}), ...options.settings };
  await server.load(
    createApp({
      ...settings,
      queue: (processor) => {
        queue = createInProcessQueue({ processor, concurrency: settings.concurrency });
        return queue;
      },
      ...options.app,
    }),
  );
  await server.start();
  const url = `http://127.0.0.1:${port}`;
  if (!queue) throw new Error("the app did not build its queue");
  const builtQueue: InProcessQueue = queue;

  return {
    fake,
    url,
    secret,
    queue: builtQueue,
    logs,
    async deliver(event, payload, opts = {}) {
      const body = JSON.stringify(payload);
      const headers: Record<string, string> = {
        "content-type": "application/json",
        "x-github-event": event,
        "x-github-delivery": opts.id ?? randomUUID(),
        "user-agent": "GitHub-Hookshot/faultline-test",
      };
      const signature = opts.signature === undefined ? await sign(secret, body) : opts.signature;
      if (signature !== null) headers["x-hub-signature-256"] = signature;
      return fetch(`${url}/api/github/webhooks`, { method: "POST", headers, body });
    },
    settle: () => builtQueue.idle(),
    async close() {
      await builtQueue.close();
      await server.stop();
      await fake.close();
    },
  };
}

// --- Payloads from @octokit/webhooks-examples -------------------------------------------

type Json = Record<string, unknown>;

function example(
  event: string,
  action: string,
  predicate: (p: Json) => boolean = () => true,
): Json {
  const group = (examples as unknown as { name: string; examples: Json[] }[]).find(
    (e) => e.name === event,
  );
  const found = group?.examples.find((p) => p.action === action && predicate(p));
  if (!found) throw new Error(`no ${event}.${action} example`);
  return structuredClone(found);
}

function repository(name = REPO): Json {
  const base = example("pull_request", "opened").repository as Json;
  return {
    ...base,
    name,
    full_name: `${OWNER}/${name}`,
    owner: { ...(base.owner as Json), login: OWNER },
    default_branch: "main",
  };
}

export interface PullTarget {
  number: number;
  head: string;
  base: string;
  draft?: boolean;
  /** Fork PRs: the head repository's owner. */
  headOwner?: string;
  /** Repository name under OWNER; default REPO. */
  repo?: string;
  /** Default INSTALLATION_ID. */
  installationId?: number;
}

/** A `pull_request.<action>` payload for a PR of the fake repo. */
export function pullRequestPayload(
  action: "opened" | "synchronize" | "reopened" | "ready_for_review" | "labeled",
  target: PullTarget,
  extra: Json = {},
): Json {
  const payload = example("pull_request", action);
  const pull = payload.pull_request as Json;
  const repo = repository(target.repo);
  const headOwner = target.headOwner ?? OWNER;
  const headRepo = {
    ...repo,
    full_name: `${headOwner}/${target.repo ?? REPO}`,
    owner: { ...(repo.owner as Json), login: headOwner },
    fork: headOwner !== OWNER,
  };
  return {
    ...payload,
    number: target.number,
    repository: repo,
    installation: { id: target.installationId ?? INSTALLATION_ID },
    pull_request: {
      ...pull,
      number: target.number,
      state: "open",
      draft: target.draft ?? false,
      head: { ...(pull.head as Json), sha: target.head, ref: "feature", repo: headRepo },
      base: { ...(pull.base as Json), sha: target.base, ref: "main", repo },
    },
    ...extra,
  };
}

/** An `issue_comment.created` payload on a PR (the example is adapted to be on a PR). */
export function issueCommentPayload(
  number: number,
  user: string,
  body: string,
  commentId: number,
  repoName = REPO,
): Json {
  const payload = example("issue_comment", "created");
  const issue = payload.issue as Json;
  const comment = payload.comment as Json;
  return {
    ...payload,
    repository: repository(repoName),
    installation: { id: INSTALLATION_ID },
    issue: {
      ...issue,
      number,
      pull_request: { url: `https://api.github.com/repos/${OWNER}/${repoName}/pulls/${number}` },
    },
    comment: {
      ...comment,
      id: commentId,
      body,
      user: { ...(comment.user as Json), login: user, type: "User" },
    },
  };
}

/** A `check_run.rerequested` payload for the app's check on `headSha`. */
export function checkRunRerequestedPayload(name: string, headSha: string, number: number): Json {
  const payload = example("check_run", "rerequested");
  const run = payload.check_run as Json;
  return {
    ...payload,
    repository: repository(),
    installation: { id: INSTALLATION_ID },
    check_run: {
      ...run,
      name,
      head_sha: headSha,
      pull_requests: [{ number, head: { sha: headSha }, base: { sha: "0".repeat(40) } }],
    },
  };
}

/** A `check_suite.rerequested` payload ("Re-run all checks") for `headSha`. */
export function checkSuiteRerequestedPayload(headSha: string, number: number): Json {
  const payload = example("check_suite", "rerequested");
  const suite = payload.check_suite as Json;
  return {
    ...payload,
    repository: repository(),
    installation: { id: INSTALLATION_ID },
    check_suite: {
      ...suite,
      head_sha: headSha,
      pull_requests: [{ number, head: { sha: headSha }, base: { sha: "0".repeat(40) } }],
    },
  };
}

export function installationDeletedPayload(id = INSTALLATION_ID): Json {
  const payload = example("installation", "deleted");
  return { ...payload, installation: { ...(payload.installation as Json), id } };
}

// --- The shop repository -----------------------------------------------------------------

export interface ShopRepo {
  dir: string;
  /** main: the shop service as in examples/. */
  base: string;
  /** A small change to a function production never ran (low risk). */
  lowHead: string;
  /** A change to `lineTotal`, which carries traffic and fails in production (high risk). */
  highHead: string;
  /** A second push on the low-risk branch. */
  lowHead2: string;
  /** A change touching five files (for GitHub's file-listing cap). */
  wideHead: string;
  cleanup(): Promise<void>;
}

/** A real git repo holding the example shop service, with branches for low- and high-risk PRs. */
export async function createShopRepo(config?: string): Promise<ShopRepo> {
  const dir = await mkdtemp(join(tmpdir(), "faultline-app-e2e-"));
  const git = async (...args: string[]) => (await exec("git", args, { cwd: dir })).stdout.trim();
  await git("init", "-q", "-b", "main");
  await git("config", "user.email", "dev@example.com");
  await git("config", "user.name", "Dev");
  await cp(SHOP_SOURCE, join(dir, "src"), { recursive: true });
  if (config !== undefined) {
    await exec("mkdir", ["-p", join(dir, ".github")]);
    await writeFile(join(dir, ".github/faultline.yml"), config);
  }
  await git("add", ".");
  await git("commit", "-q", "-m", "shop service");
  const base = await git("rev-parse", "HEAD");

  const edit = async (file: string, from: string | RegExp, to: string) => {
    const path = join(dir, file);
    const text = await readFile(path, "utf8");
    const next = text.replace(from, to);
    if (next === text) throw new Error(`fixture edit did not apply to ${file}`);
    await writeFile(path, next);
  };

  await git("checkout", "-q", "-b", "low");
  await appendFunction(
    join(dir, "src/catalog.js"),
    'export function describeSku(sku) {\n  return "SKU " + sku;\n}\n',
  );
  await git("commit", "-q", "-am", "catalog: describeSku helper");
  const lowHead = await git("rev-parse", "HEAD");
  await appendFunction(
    join(dir, "src/catalog.js"),
    "export function skuSlug(sku) {\n  return sku.toLowerCase();\n}\n",
  );
  await git("commit", "-q", "-am", "catalog: skuSlug");
  const lowHead2 = await git("rev-parse", "HEAD");

  await git("checkout", "-q", "main");
  await git("checkout", "-q", "-b", "high");
  await edit(
    "src/pricing.js",
    "if (item.quantity > MAX_QUANTITY) {",
    "if (item.quantity >= MAX_QUANTITY) {",
  );
  await git("commit", "-q", "-am", "pricing: tighten the quantity limit");
  const highHead = await git("rev-parse", "HEAD");
  await git("checkout", "-q", "main");

  await git("checkout", "-q", "-b", "wide");
  for (const file of ["cards", "catalog", "discounts", "inventory", "pricing"]) {
    await appendFunction(
      join(dir, `src/${file}.js`),
      `export function ${file}Version() {\n  return "${file}-2";\n}\n`,
    );
  }
  await git("commit", "-q", "-am", "version helpers everywhere");
  const wideHead = await git("rev-parse", "HEAD");
  await git("checkout", "-q", "main");

  return {
    dir,
    base,
    lowHead,
    highHead,
    lowHead2,
    wideHead,
    cleanup: () => rm(dir, { recursive: true, force: true }),
  };
}

async function appendFunction(path: string, code: string): Promise<void> {
  const text = await readFile(path, "utf8");
  await writeFile(path, `${text.trimEnd()}\n\n${code}`);
}

/** Polls until `check` returns true (bounded). */
export async function waitFor(check: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error("timed out waiting for a condition");
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
