import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import {
  AnalysisCancelled,
  type AnalysisJob,
  type AnalysisProcessor,
} from "../../../src/github/analysis-queue.ts";
import { createRedisQueue, type RedisQueue } from "../../../src/github/redis-queue.ts";
import { type RunningRedis, startRedis } from "../../support/redis.ts";

let redis: RunningRedis;
let open: RedisQueue[] = [];
let prefixCounter = 0;

beforeAll(async () => {
  redis = await startRedis();
});
afterEach(async () => {
  await Promise.all(open.map((q) => q.close()));
  open = [];
});
afterAll(async () => {
  await redis?.stop();
});

const job = (overrides: Partial<AnalysisJob> = {}): AnalysisJob => ({
  installationId: 1,
  owner: "acme",
  repo: "shop",
  pullNumber: 1,
  headSha: "a".repeat(40),
  baseSha: "b".repeat(40),
  deliveryId: `d-${Math.random()}`,
  reason: "synchronize",
  ...overrides,
});

/** Two "replicas": two queues on one Redis, each with its own worker. */
function replicas(
  processor: AnalysisProcessor,
  extra: { perInstallationConcurrency?: number; concurrency?: number } = {},
) {
  const prefix = `t${prefixCounter++}`;
  const make = () =>
    createRedisQueue({
      url: redis.url,
      processor,
      prefix,
      leaseMs: 3000,
      pollMs: 50,
      backoffMs: 100,
      ...extra,
    });
  const pair = [make(), make()] as const;
  open.push(...pair);
  return pair;
}

async function until(check: () => boolean | Promise<boolean>, ms = 15_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 25));
  }
}

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener("abort", () => {
      clearTimeout(timer);
      reject(signal.reason);
    });
  });

describe("Redis analysis queue (real redis-server, two replicas)", () => {
  it("runs a head SHA once however many replicas receive its deliveries, even after it finished", async () => {
    const runs: string[] = [];
    const [a, b] = replicas(async (j) => {
      runs.push(j.headSha);
      await sleep(100);
    });
    const one = job();
    await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        (i % 2 ? a : b).enqueue({ ...one, deliveryId: `d${i}` }),
      ),
    );
    await until(() => runs.length === 1);
    await until(async () => (await a.counts()).active === 0);
    await b.enqueue({ ...one, deliveryId: "late-redelivery" });
    await sleep(400);
    expect(runs).toEqual([one.headSha]);
  });

  it("aborts a running analysis when another replica receives a newer head, and runs the newest once", async () => {
    const started: string[] = [];
    const aborted: unknown[] = [];
    const finished: string[] = [];
    const [a, b] = replicas(async (j, signal) => {
      started.push(j.headSha);
      try {
        await sleep(j.headSha.startsWith("1") ? 5000 : 100, signal);
        finished.push(j.headSha);
      } catch (error) {
        aborted.push(error);
        throw error;
      }
    });
    await a.enqueue(job({ headSha: "1".repeat(40) }));
    await until(() => started.length === 1);
    await b.enqueue(job({ headSha: "2".repeat(40) }));
    await b.enqueue(job({ headSha: "3".repeat(40) }));
    await until(() => finished.includes("3".repeat(40)));
    await sleep(300);
    expect(aborted).toHaveLength(1);
    expect(aborted[0]).toBeInstanceOf(AnalysisCancelled);
    expect((aborted[0] as AnalysisCancelled).why).toBe("superseded");
    // 2…2 was superseded while waiting: skipped, never started.
    expect(started).toEqual(["1".repeat(40), "3".repeat(40)]);
    expect(finished).toEqual(["3".repeat(40)]);
  });

  it("analyses a head again after the PR moved away from it and back (force-push)", async () => {
    const runs: string[] = [];
    const [a, b] = replicas(async (j) => {
      runs.push(j.headSha[0] ?? "");
    });
    const pr = { pullNumber: 11 };
    await a.enqueue(job({ ...pr, headSha: "4".repeat(40) }));
    await until(() => runs.length === 1);
    await until(async () => (await a.counts()).active === 0);
    await b.enqueue(job({ ...pr, headSha: "5".repeat(40) }));
    await until(() => runs.length === 2);
    await until(async () => (await a.counts()).active === 0);
    // A redelivery of the published head is dropped; going back to 4… is a new analysis.
    await a.enqueue(job({ ...pr, headSha: "5".repeat(40), deliveryId: "redelivery" }));
    await b.enqueue(job({ ...pr, headSha: "4".repeat(40), deliveryId: "force-push" }));
    await until(() => runs.length === 3);
    await sleep(300);
    expect(runs).toEqual(["4", "5", "4"]);
  });

  it("bounds concurrency per installation so a busy one does not starve another", async () => {
    let active = new Map<number, number>();
    let maxBusy = 0;
    const order: string[] = [];
    const [a, b] = replicas(
      async (j) => {
        active.set(j.installationId, (active.get(j.installationId) ?? 0) + 1);
        if (j.installationId === 1) maxBusy = Math.max(maxBusy, active.get(1) ?? 0);
        order.push(`${j.installationId}#${j.pullNumber}`);
        await sleep(250);
        active.set(j.installationId, (active.get(j.installationId) ?? 1) - 1);
      },
      { concurrency: 4, perInstallationConcurrency: 2 },
    );
    // The busy installation fills the queue first; the quiet one arrives last.
    for (let n = 1; n <= 12; n++) {
      await (n % 2 ? a : b).enqueue(job({ installationId: 1, pullNumber: n }));
    }
    await a.enqueue(job({ installationId: 2, owner: "globex", pullNumber: 1 }));
    await until(() => order.length === 13, 30_000);
    expect(maxBusy).toBeLessThanOrEqual(2);
    expect(maxBusy).toBe(2);
    // With 8 workers but 2 slots for installation 1, installation 2 runs long before the end.
    expect(order.indexOf("2#1")).toBeLessThan(6);
    active = new Map();
  });

  it("retries a failing analysis with backoff, then succeeds", async () => {
    const attempts: number[] = [];
    const [a] = replicas(async () => {
      attempts.push(Date.now());
      if (attempts.length < 3) throw new Error("GitHub 502");
    });
    await a.enqueue(job({ pullNumber: 7 }));
    await until(() => attempts.length === 3);
    await until(async () => (await a.counts()).active === 0);
    expect(attempts).toHaveLength(3);
    // Exponential: the second gap (>= 200 ms) is longer than the first (>= 100 ms).
    const gap1 = (attempts[1] ?? 0) - (attempts[0] ?? 0);
    const gap2 = (attempts[2] ?? 0) - (attempts[1] ?? 0);
    expect(gap1).toBeGreaterThanOrEqual(90);
    expect(gap2).toBeGreaterThanOrEqual(190);
  });

  it("cancels an uninstalled installation's queued and running jobs", async () => {
    const started: number[] = [];
    const cancelled: unknown[] = [];
    const [a, b] = replicas(
      async (j, signal) => {
        started.push(j.pullNumber);
        await sleep(3000, signal).catch((error: unknown) => {
          cancelled.push(error);
          throw error;
        });
      },
      { perInstallationConcurrency: 1 },
    );
    await a.enqueue(job({ installationId: 9, pullNumber: 1 }));
    await a.enqueue(job({ installationId: 9, pullNumber: 2 }));
    await until(() => started.length === 1);
    await b.cancelInstallation?.(9);
    await until(() => cancelled.length === 1);
    await sleep(500);
    expect(started).toHaveLength(1);
    expect((cancelled[0] as AnalysisCancelled).why).toBe("uninstalled");
  });
});
