/**
 * Scale-out for real: two replicas of the hosted app as separate processes, one Redis
 * (a real redis-server), one fake GitHub. 50 concurrent signed deliveries split between the
 * replicas give exactly one comment per PR and one completed check run per head SHA; a
 * replica killed (SIGKILL) mid-analysis loses nothing.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { generateKeyPairSync, randomBytes, randomUUID } from "node:crypto";
import { join } from "node:path";
import { sign } from "@octokit/webhooks-methods";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { COMMENT_MARKER } from "../../src/github/upsert-comment.ts";
import type { ReplicaConfig } from "../integration/hosted/replica-main.ts";
import { type ChdbEndpoint, startChdbEndpoint } from "../support/chdb-endpoint.ts";
import { type FakeGitHub, startFakeGitHub } from "../support/fake-github.ts";
import { freePort } from "../support/free-port.ts";
import { type RunningRedis, startRedis } from "../support/redis.ts";
import { createShopRepo, pullRequestPayload, type ShopRepo } from "./app-harness.ts";

const OWNER = "acme";
const APP_ID = 31337;
const REPLICA_MAIN = join(import.meta.dirname, "../integration/hosted/replica-main.ts");

interface Replica {
  name: string;
  url: string;
  child: ChildProcess;
  /** Parsed pino lines. */
  lines: { msg?: string; headSha?: string; pull?: string }[];
}

interface Target {
  repo: string;
  number: number;
  head: string;
  installationId: number;
}

let redis: RunningRedis;
let shop: ShopRepo;
let fake: FakeGitHub;
let settingsEndpoint: ChdbEndpoint;
let privateKey: string;
const secret = `whsec-${randomUUID()}`;
const secretKey = randomBytes(32).toString("base64");
const replicas: Replica[] = [];
/** The replica still running after the kill test. */
let survivor: Replica | undefined;

async function until(check: () => boolean, ms: number, what: string): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function startReplica(name: string): Promise<Replica> {
  const port = await freePort();
  const config: ReplicaConfig = {
    name,
    port,
    appId: APP_ID,
    privateKey,
    webhookSecret: secret,
    githubUrl: fake.url,
    redisUrl: redis.url,
    settingsUrl: settingsEndpoint.url,
    secretKey,
    leaseMs: 2000,
    prefix: "replicas",
  };
  const child = spawn(process.execPath, ["--import", "tsx", REPLICA_MAIN], {
    env: { ...process.env, FAULTLINE_REPLICA_CONFIG: JSON.stringify(config) },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const replica: Replica = { name, url: `http://127.0.0.1:${port}`, child, lines: [] };
  let buffered = "";
  let stderr = "";
  child.stdout?.on("data", (chunk: Buffer) => {
    buffered += chunk.toString("utf8");
    const parts = buffered.split("\n");
    buffered = parts.pop() ?? "";
    for (const line of parts) {
      try {
        replica.lines.push(JSON.parse(line));
      } catch {
        // not a log line
      }
    }
  });
  child.stderr?.on("data", (chunk: Buffer) => {
    stderr += chunk.toString("utf8");
  });
  replicas.push(replica);
  try {
    await until(
      () => replica.lines.some((l) => l.msg === "replica ready") || child.exitCode !== null,
      30_000,
      `replica ${name} to start`,
    );
  } catch (error) {
    throw new Error(`${String(error)}\n${stderr.slice(-3000)}`);
  }
  if (child.exitCode !== null) throw new Error(`replica ${name} exited:\n${stderr.slice(-3000)}`);
  return replica;
}

async function stopReplica(replica: Replica): Promise<void> {
  if (replica.child.exitCode !== null || replica.child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => replica.child.once("exit", () => resolve()));
  replica.child.kill("SIGTERM");
  const timer = setTimeout(() => replica.child.kill("SIGKILL"), 5000);
  await exited;
  clearTimeout(timer);
}

async function deliver(replica: Replica, target: Target): Promise<number> {
  const payload = pullRequestPayload("opened", {
    number: target.number,
    base: shop.base,
    head: target.head,
    repo: target.repo,
    installationId: target.installationId,
  });
  const body = JSON.stringify(payload);
  const response = await fetch(`${replica.url}/api/github/webhooks`, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      "x-github-event": "pull_request",
      "x-github-delivery": randomUUID(),
      "x-hub-signature-256": await sign(secret, body),
      "user-agent": "GitHub-Hookshot/faultline-test",
    },
    body,
  });
  return response.status;
}

/** Repos `acme/<prefix>1..n`, each with PRs on `perRepo` distinct heads. */
async function seedRepos(
  prefix: string,
  count: number,
  perRepo: number,
  installationOf: (i: number) => number,
) {
  const heads = [shop.lowHead, shop.highHead, shop.wideHead, shop.lowHead2].slice(0, perRepo);
  const targets: Target[] = [];
  for (let i = 1; i <= count; i++) {
    const repo = `${prefix}${i}`;
    const installationId = installationOf(i);
    await fake.addRepoFromGit(OWNER, repo, shop.dir, { installationId });
    heads.forEach((head, index) => {
      fake.addPullRequest(OWNER, repo, { number: index + 1, base: shop.base, head });
      targets.push({ repo, number: index + 1, head, installationId });
    });
  }
  return targets;
}

const jobOf = (line: Replica["lines"][number]): string =>
  `${line.pull ?? ""}@${line.headSha ?? ""}`;

const settled = (targets: Target[]) => () =>
  targets.every(
    (t) =>
      fake.comments(OWNER, t.repo, t.number).length >= 1 &&
      fake.checkRuns(OWNER, t.repo, t.head).some((run) => run.status === "completed"),
  );

function expectExactlyOnce(targets: Target[]): void {
  for (const t of targets) {
    const comments = fake.comments(OWNER, t.repo, t.number);
    expect(comments, `${t.repo}#${t.number} comments`).toHaveLength(1);
    expect(comments[0]?.body).toContain(COMMENT_MARKER);
    const runs = fake.checkRuns(OWNER, t.repo, t.head);
    expect(runs, `${t.repo}@${t.head} check runs`).toHaveLength(1);
    expect(runs[0]?.status).toBe("completed");
  }
}

beforeAll(async () => {
  redis = await startRedis();
  shop = await createShopRepo();
  const keys = generateKeyPairSync("rsa", {
    modulusLength: 2048,
    privateKeyEncoding: { type: "pkcs8", format: "pem" },
    publicKeyEncoding: { type: "spki", format: "pem" },
  });
  privateKey = keys.privateKey;
  fake = await startFakeGitHub({ appId: APP_ID, appPublicKey: keys.publicKey });
  settingsEndpoint = await startChdbEndpoint("faultline-replicas-");
  await Promise.all([startReplica("A"), startReplica("B")]);
}, 90_000);

afterAll(async () => {
  await Promise.all(replicas.map(stopReplica));
  await settingsEndpoint?.close();
  await fake?.close();
  await shop?.cleanup();
  await redis?.stop();
});

describe("hosted replicas on one Redis", () => {
  it("50 concurrent deliveries split across two replicas: one comment per PR, one completed check run per head SHA", async () => {
    const [a, b] = replicas as [Replica, Replica];
    // Two installations: 3 repos on 100, 2 on 200; 10 PRs with distinct (repo, head), each
    // delivered five times (GitHub redeliveries, duplicate events), alternating replicas.
    const targets = await seedRepos("split", 5, 2, (i) => (i <= 3 ? 100 : 200));
    const deliveries = [...targets, ...targets, ...targets, ...targets, ...targets];
    expect(deliveries).toHaveLength(50);
    const statuses = await Promise.all(deliveries.map((t, i) => deliver(i % 2 ? a : b, t)));
    expect(statuses).toEqual(Array(50).fill(200));

    await until(settled(targets), 60_000, "every PR analysed");
    // Late duplicates would show up now.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expectExactlyOnce(targets);
    // Both replicas did work.
    for (const replica of [a, b]) {
      expect(replica.lines.filter((l) => l.msg === "analysis finished").length).toBeGreaterThan(0);
    }
  }, 90_000);

  it("loses nothing when a replica is killed mid-analysis", async () => {
    const [a, b] = replicas as [Replica, Replica];
    const targets = await seedRepos("kill", 2, 3, () => 300);
    // Slow GitHub down for these repos so analyses are in flight when A dies.
    fake.failNext(/^GET \/repos\/acme\/kill\d\/pulls\/\d+\/files/, {
      kind: "delay",
      delayMs: 1500,
      times: 1000,
    });
    const statuses = await Promise.all(
      [...targets, ...targets].map((t, i) => deliver(i % 2 ? a : b, t)),
    );
    expect(statuses).toEqual(Array(12).fill(200));

    const ours = (l: Replica["lines"][number]) => l.pull?.startsWith("acme/kill") === true;
    const started = (r: Replica) => r.lines.some((l) => l.msg === "analysis started" && ours(l));
    // Both replicas pull from one queue: either may take the first job. Kill the one that did.
    await until(() => started(a) || started(b), 20_000, "a replica to start an analysis");
    const [victim, other] = started(a) ? [a, b] : [b, a];
    survivor = other;
    const startedOnVictim = new Set(
      victim.lines.filter((l) => l.msg === "analysis started" && ours(l)).map(jobOf),
    );
    const finishedOnVictim = new Set(
      victim.lines.filter((l) => l.msg === "analysis finished" && ours(l)).map(jobOf),
    );
    victim.child.kill("SIGKILL");
    const inFlight = [...startedOnVictim].filter((job) => !finishedOnVictim.has(job));
    expect(inFlight.length).toBeGreaterThan(0);

    await until(settled(targets), 60_000, "every PR analysed after the kill");
    fake.clearFaults();
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expectExactlyOnce(targets);
    // What the victim was running when it died, the other replica finished.
    const finishedOnOther = new Set(
      other.lines.filter((l) => l.msg === "analysis finished").map(jobOf),
    );
    for (const job of inFlight) expect(finishedOnOther.has(job), job).toBe(true);
  }, 90_000);

  it("drains on SIGTERM: running analyses finish, nothing is published twice", async () => {
    // The replica that survived the kill drains and leaves first, so the new replica C is
    // the only one working.
    const b = survivor ?? (replicas[1] as Replica);
    const bExited = new Promise<number | null>((resolve) => b.child.once("exit", resolve));
    b.child.kill("SIGTERM");
    expect(await bExited).toBe(0);
    const c = await startReplica("C");
    const targets = await seedRepos("drain", 1, 2, () => 400);
    fake.failNext(/^GET \/repos\/acme\/drain\d\/pulls\/\d+\/files/, {
      kind: "delay",
      delayMs: 1500,
      times: 1000,
    });
    const statuses = await Promise.all(targets.map((t) => deliver(c, t)));
    expect(statuses).toEqual([200, 200]);
    const ours = (l: Replica["lines"][number]) => l.pull?.startsWith("acme/drain") === true;
    await until(
      () => c.lines.filter((l) => l.msg === "analysis started" && ours(l)).length === 2,
      20_000,
      "replica C to start both analyses",
    );
    const exited = new Promise<number | null>((resolve) => c.child.once("exit", resolve));
    c.child.kill("SIGTERM");
    expect(await exited).toBe(0);
    // What C had started, C finished before exiting.
    const started = c.lines.filter((l) => l.msg === "analysis started" && ours(l)).map(jobOf);
    expect(started).toHaveLength(2);
    const finished = new Set(
      c.lines.filter((l) => l.msg === "analysis finished" && ours(l)).map(jobOf),
    );
    for (const job of started) expect(finished.has(job), job).toBe(true);
    await until(settled(targets), 60_000, "every PR analysed after the drain");
    fake.clearFaults();
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expectExactlyOnce(targets);
  }, 90_000);
});
