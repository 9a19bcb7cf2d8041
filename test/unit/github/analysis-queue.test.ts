import { describe, expect, it } from "vitest";
import {
  AnalysisCancelled,
  type AnalysisJob,
  createInProcessQueue,
} from "../../../src/github/analysis-queue.ts";

const job = (overrides: Partial<AnalysisJob> = {}): AnalysisJob => ({
  installationId: 1,
  owner: "acme",
  repo: "shop",
  pullNumber: 1,
  headSha: "a".repeat(40),
  baseSha: "b".repeat(40),
  deliveryId: "d1",
  reason: "opened",
  ...overrides,
});

/** A processor whose runs wait until the test releases them. */
function gatedProcessor() {
  const started: AnalysisJob[] = [];
  const finished: AnalysisJob[] = [];
  const aborted: { job: AnalysisJob; reason: unknown }[] = [];
  const releases: (() => void)[] = [];
  let active = 0;
  let maxActive = 0;
  const processor = async (j: AnalysisJob, signal: AbortSignal) => {
    started.push(j);
    active += 1;
    maxActive = Math.max(maxActive, active);
    try {
      await new Promise<void>((resolve, reject) => {
        releases.push(resolve);
        signal.addEventListener("abort", () => reject(signal.reason));
      });
      finished.push(j);
    } catch (reason) {
      aborted.push({ job: j, reason });
      throw reason;
    } finally {
      active -= 1;
    }
  };
  const releaseAll = async () => {
    while (releases.length > 0) {
      releases.shift()?.();
      await new Promise((r) => setTimeout(r, 1));
    }
  };
  return { processor, started, finished, aborted, releaseAll, maxActive: () => maxActive };
}

describe("createInProcessQueue", () => {
  it("runs 20 concurrent duplicate deliveries once", async () => {
    const gate = gatedProcessor();
    const queue = createInProcessQueue({ processor: gate.processor, concurrency: 4 });
    await Promise.all(
      Array.from({ length: 20 }, (_, i) => queue.enqueue(job({ deliveryId: `d${i}` }))),
    );
    await gate.releaseAll();
    await queue.idle();
    expect(gate.started).toHaveLength(1);
    expect(queue.stats().deduplicated).toBe(19);
  });

  it("aborts the superseded run when a newer head arrives and runs the newest only", async () => {
    const gate = gatedProcessor();
    const queue = createInProcessQueue({ processor: gate.processor, concurrency: 4 });
    await queue.enqueue(job({ headSha: "1".repeat(40) }));
    await queue.enqueue(job({ headSha: "2".repeat(40), reason: "synchronize" }));
    await queue.enqueue(job({ headSha: "3".repeat(40), reason: "synchronize" }));
    await new Promise((r) => setTimeout(r, 5));
    await gate.releaseAll();
    await queue.idle();
    expect(gate.aborted.map((a) => a.job.headSha)).toEqual(["1".repeat(40)]);
    expect(gate.aborted[0]?.reason).toBeInstanceOf(AnalysisCancelled);
    expect(gate.finished.map((j) => j.headSha)).toEqual(["3".repeat(40)]);
  });

  it("serialises per PR and bounds concurrency across PRs", async () => {
    const gate = gatedProcessor();
    const queue = createInProcessQueue({ processor: gate.processor, concurrency: 2 });
    for (let n = 1; n <= 5; n++) await queue.enqueue(job({ pullNumber: n }));
    // A rerun for PR 1 at the same head waits for the running one instead of racing it.
    await queue.enqueue(job({ pullNumber: 1, reason: "rerun" }));
    expect(gate.started).toHaveLength(2);
    await gate.releaseAll();
    await queue.idle();
    expect(gate.finished).toHaveLength(6);
    expect(gate.maxActive()).toBe(2);
    const pr1 = gate.finished.filter((j) => j.pullNumber === 1).map((j) => j.reason);
    expect(pr1).toEqual(["opened", "rerun"]);
  });

  it("cancels an uninstalled installation's jobs and stops on close", async () => {
    const gate = gatedProcessor();
    const queue = createInProcessQueue({ processor: gate.processor, concurrency: 1 });
    await queue.enqueue(job({ installationId: 7, pullNumber: 1 }));
    await queue.enqueue(job({ installationId: 7, pullNumber: 2 }));
    await queue.enqueue(job({ installationId: 8, pullNumber: 3 }));
    await queue.cancelInstallation?.(7);
    await new Promise((r) => setTimeout(r, 5));
    expect(gate.aborted.map((a) => (a.reason as AnalysisCancelled).why)).toEqual(["uninstalled"]);
    expect(gate.started.map((j) => j.pullNumber)).toEqual([1, 3]);
    await queue.close();
    expect(gate.aborted.map((a) => (a.reason as AnalysisCancelled).why)).toEqual([
      "uninstalled",
      "shutdown",
    ]);
    await queue.enqueue(job({ pullNumber: 9 }));
    expect(gate.started).toHaveLength(2);
  });
});
