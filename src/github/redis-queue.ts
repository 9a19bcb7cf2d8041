/**
 * The analysis queue shared by every replica of the hosted app (`REDIS_URL`), on BullMQ.
 * Same contract as the in-process queue (see `analysis-queue.ts`), across processes:
 * - deduplicated by (repo, PR, head SHA): the BullMQ job id, plus the PR's published head
 *   so a redelivered webhook after the analysis finished publishes nothing twice;
 * - a newer head SHA supersedes: the latest head per PR lives in Redis, queued jobs for an
 *   older head are skipped and a running one is aborted (its `AbortSignal`), on any replica;
 * - serialised per PR by a leased Redis lock around the whole run (analysis and publish), so
 *   one comment and one check run per head SHA even with many replicas;
 * - retries with exponential backoff; a replica that dies mid-run loses its BullMQ lock and
 *   its leases, and another replica picks the job up (stalled-job recovery);
 * - bounded concurrency per installation (a leased Redis semaphore), so one busy
 *   organization cannot take every worker: its extra jobs wait while others run;
 * - `close()` drains rather than aborts (see there): queued jobs stay for other replicas.
 */
import { DelayedError, type Job, Queue, Worker } from "bullmq";
import { Redis } from "ioredis";
import {
  AnalysisCancelled,
  type AnalysisJob,
  type AnalysisProcessor,
  type AnalysisQueue,
  type AnalysisQueueFactory,
  type AnalysisReason,
  pullKey,
  type QueueLogger,
} from "./analysis-queue.ts";

export interface RedisQueueOptions {
  /** `redis://…` or `rediss://…`. */
  url: string;
  processor: AnalysisProcessor;
  /** Analyses this replica runs at once. Default 4. */
  concurrency?: number;
  /** Analyses one installation runs at once across all replicas. Default 2. */
  perInstallationConcurrency?: number;
  /** Attempts per job, the first included. Default 5. */
  attempts?: number;
  /** First retry delay; doubles each attempt. Default 2 s. */
  backoffMs?: number;
  /**
   * How long a dead replica holds its PR lock, installation slot and BullMQ job lock before
   * others take over. Default 30 s; live replicas renew every third of it.
   */
  leaseMs?: number;
  /** How often running jobs look for a newer head or an uninstall. Default 500 ms. */
  pollMs?: number;
  /** Queue name and key prefix, so several deployments can share one Redis. Default `faultline`. */
  prefix?: string;
  log?: QueueLogger;
}

export interface RedisQueue extends AnalysisQueue {
  /** Job counts by state (waiting, active, delayed, completed, failed), for logs and tests. */
  counts(): Promise<Record<string, number>>;
}

const PUSH_REASONS: ReadonlySet<AnalysisReason> = new Set([
  "opened",
  "synchronize",
  "reopened",
  "ready_for_review",
]);

const DONE_TTL_SECONDS = 7 * 24 * 3600;

/** Takes a slot if the installation has fewer than `limit` live leases (or already holds this one). */
const ACQUIRE_SLOT = `
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[1])
if redis.call('ZSCORE', KEYS[1], ARGV[4]) or redis.call('ZCARD', KEYS[1]) < tonumber(ARGV[3]) then
  redis.call('ZADD', KEYS[1], tonumber(ARGV[1]) + tonumber(ARGV[2]), ARGV[4])
  redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[2]) * 2)
  return 1
end
return 0`;

const RENEW_LOCK = `
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
return 0`;

const RELEASE_LOCK = `
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0`;

/** Job ids may not contain `:` (BullMQ's key separator); keep them readable and unique. */
const safeId = (text: string): string =>
  text.replace(/[^A-Za-z0-9._-]/g, (c) => `~${c.charCodeAt(0).toString(16)}`);

/**
 * @example
 * const queue = createRedisQueue({ url: process.env.REDIS_URL!, processor });
 * await queue.enqueue(job);
 */
export function createRedisQueue(options: RedisQueueOptions): RedisQueue {
  const prefix = options.prefix ?? "faultline";
  const leaseMs = options.leaseMs ?? 30_000;
  const pollMs = options.pollMs ?? 500;
  const perInstallation = Math.max(1, options.perInstallationConcurrency ?? 2);
  const connection = { url: options.url, maxRetriesPerRequest: null };
  const redis = new Redis(options.url, { maxRetriesPerRequest: 3 });
  const queueName = "analyses";

  const key = {
    head: (job: AnalysisJob) => `${prefix}:head:${pullKey(job)}`,
    /** The head SHA whose analysis the PR's comment and check show now. */
    published: (job: AnalysisJob) => `${prefix}:published:${pullKey(job)}`,
    lock: (job: AnalysisJob) => `${prefix}:lock:${pullKey(job)}`,
    slots: (installationId: number) => `${prefix}:slots:${installationId}`,
    cancelled: (installationId: number) => `${prefix}:cancelled:${installationId}`,
  };

  const queue = new Queue<AnalysisJob>(queueName, { connection, prefix });
  // Connection trouble is reported once per event here; ioredis reconnects by itself.
  redis.on("error", (error) => options.log?.error({ err: error }, "analysis queue: Redis error"));
  queue.on("error", (error) => options.log?.error({ err: error }, "analysis queue error"));
  let closed = false;

  const retryLater = async (job: Job<AnalysisJob>, token: string | undefined): Promise<never> => {
    // Not a failure: the job waits its turn without spending an attempt.
    await job.moveToDelayed(Date.now() + 200 + Math.floor(Math.random() * 300), token);
    throw new DelayedError();
  };

  const run = async (job: Job<AnalysisJob>, token?: string): Promise<string> => {
    const data = job.data;
    const jobKey = job.id ?? safeId(`${pullKey(data)}@${data.headSha}`);
    const isPush = PUSH_REASONS.has(data.reason);
    if (isPush && (await redis.get(key.published(data))) === data.headSha) return "duplicate";
    const latest = await redis.get(key.head(data));
    if (isPush && latest && latest !== data.headSha) return "superseded";
    const cancelledAt = Number((await redis.get(key.cancelled(data.installationId))) ?? 0);
    if (cancelledAt >= job.timestamp) return "uninstalled";

    const slotTaken = await redis.eval(
      ACQUIRE_SLOT,
      1,
      key.slots(data.installationId),
      Date.now(),
      leaseMs,
      perInstallation,
      jobKey,
    );
    if (slotTaken !== 1) return retryLater(job, token);
    const lockTaken = await redis.set(key.lock(data), jobKey, "PX", leaseMs, "NX");
    if (lockTaken !== "OK") {
      await redis.zrem(key.slots(data.installationId), jobKey);
      return retryLater(job, token);
    }

    const controller = new AbortController();
    const fields = { pull: pullKey(data), headSha: data.headSha, jobId: jobKey };
    options.log?.debug({ ...fields, attempt: job.attemptsMade + 1 }, "analysis started");
    let lastRenew = Date.now();
    const watch = setInterval(() => {
      void (async () => {
        if (Date.now() - lastRenew >= leaseMs / 3) {
          lastRenew = Date.now();
          await redis.eval(RENEW_LOCK, 1, key.lock(data), jobKey, leaseMs);
          await redis.zadd(key.slots(data.installationId), "XX", Date.now() + leaseMs, jobKey);
        }
        const [head, cancelled] = await redis.mget(
          key.head(data),
          key.cancelled(data.installationId),
        );
        if (controller.signal.aborted) return;
        if (isPush && head && head !== data.headSha) {
          controller.abort(new AnalysisCancelled("superseded", `head moved to ${head}`));
        } else if (Number(cancelled ?? 0) >= job.timestamp) {
          controller.abort(
            new AnalysisCancelled("uninstalled", `installation ${data.installationId} was removed`),
          );
        }
      })().catch(() => undefined);
    }, pollMs);

    try {
      await options.processor(data, controller.signal);
    } catch (error) {
      const reason: unknown = controller.signal.reason;
      if (reason instanceof AnalysisCancelled && reason.why !== "shutdown") return reason.why;
      throw error;
    } finally {
      clearInterval(watch);
      await redis.eval(RELEASE_LOCK, 1, key.lock(data), jobKey).catch(() => undefined);
      await redis.zrem(key.slots(data.installationId), jobKey).catch(() => undefined);
    }
    const reason: unknown = controller.signal.reason;
    if (reason instanceof AnalysisCancelled) {
      // Shutdown: let another replica run it again (spends one attempt).
      if (reason.why === "shutdown") throw reason;
      return reason.why;
    }
    if (isPush) await redis.set(key.published(data), data.headSha, "EX", DONE_TTL_SECONDS);
    options.log?.debug(fields, "analysis finished");
    return "done";
  };

  const worker = new Worker<AnalysisJob, string>(queueName, run, {
    connection,
    prefix,
    concurrency: Math.max(1, options.concurrency ?? 4),
    lockDuration: leaseMs,
    stalledInterval: Math.max(500, Math.floor(leaseMs / 2)),
    // A job whose replica died is retried, not failed, unless replicas keep dying on it.
    maxStalledCount: 3,
  });
  worker.on("failed", (job, error) => {
    if (!job || error instanceof DelayedError) return;
    options.log?.error(
      {
        err: error,
        pull: pullKey(job.data),
        headSha: job.data.headSha,
        deliveryId: job.data.deliveryId,
        attempt: job.attemptsMade,
      },
      "analysis failed",
    );
  });
  worker.on("error", (error) => options.log?.error({ err: error }, "analysis queue error"));

  return {
    async enqueue(job) {
      if (closed) return;
      const isPush = PUSH_REASONS.has(job.reason);
      if (isPush) {
        // Head first: a head already published still supersedes a newer one in flight
        // (a force-push back to an earlier commit).
        await redis.set(key.head(job), job.headSha, "EX", DONE_TTL_SECONDS);
        if ((await redis.get(key.published(job))) === job.headSha) {
          options.log?.debug(
            { pull: pullKey(job), deliveryId: job.deliveryId },
            "already analysed",
          );
          return;
        }
      }
      const base = `${job.installationId}.${pullKey(job)}.${job.headSha}`;
      // Re-runs and overrides run again on the same head; pushes for one head run once.
      const jobId = safeId(isPush ? base : `${base}.${job.reason}.${job.deliveryId}`);
      await queue.add("analysis", job, {
        jobId,
        attempts: options.attempts ?? 5,
        backoff: { type: "exponential", delay: options.backoffMs ?? 2000 },
        // Gone once settled, so the same head can be queued again later (a force-push back);
        // finished duplicates are caught by the published head, failures are logged.
        removeOnComplete: true,
        removeOnFail: true,
      });
    },
    async cancelInstallation(installationId) {
      await redis.set(key.cancelled(installationId), Date.now(), "EX", DONE_TTL_SECONDS);
      const waiting = await queue.getJobs(["waiting", "delayed", "prioritized"]);
      await Promise.all(
        waiting
          .filter((job) => job?.data.installationId === installationId)
          .map((job) => job.remove().catch(() => undefined)),
      );
    },
    async counts() {
      return queue.getJobCounts("waiting", "active", "delayed", "completed", "failed");
    },
    async close() {
      if (closed) return;
      closed = true;
      // Unlike the in-process queue, running analyses are not aborted: they finish here, or,
      // if the process exits first, another replica takes them over (stalled-job recovery)
      // and reuses their check run. Aborting would end that check run as interrupted and
      // the takeover would add a second one for the same head SHA.
      await worker.close();
      await queue.close();
      await redis.quit().catch(() => undefined);
    },
  };
}

/**
 * What `AppOptions.queue` takes: builds the Redis queue around the app's processor.
 * @example createApp({ ..., queue: redisQueueFactory({ url: process.env.REDIS_URL! }) })
 */
export function redisQueueFactory(
  options: Omit<RedisQueueOptions, "processor">,
): AnalysisQueueFactory {
  return (processor) => createRedisQueue({ ...options, processor });
}
