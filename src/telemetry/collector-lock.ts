import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { UserError } from "../errors.ts";

/** Written by `faultline collect` while it owns an embedded data directory. */
export interface CollectorLock {
  pid: number;
  /** OTLP/HTTP port. */
  port: number;
  /** Where the collector answers ClickHouse HTTP queries for other processes. */
  clickhouseUrl: string;
  startedAt: string;
}

export const collectorLockPath = (dataDir: string): string => join(dataDir, "collect.lock");

/** The lock of a collector that is still running, or null (absent, unreadable or stale). */
export function readLiveCollectorLock(dataDir: string): CollectorLock | null {
  let lock: CollectorLock;
  try {
    lock = JSON.parse(readFileSync(collectorLockPath(dataDir), "utf8")) as CollectorLock;
  } catch {
    return null;
  }
  if (typeof lock.pid !== "number" || typeof lock.clickhouseUrl !== "string") return null;
  return isAlive(lock.pid) ? lock : null;
}

/** Claims the data directory; refuses when another live collector holds it. */
export function writeCollectorLock(dataDir: string, lock: CollectorLock): void {
  const live = readLiveCollectorLock(dataDir);
  if (live && live.pid !== lock.pid) {
    throw new UserError(
      `another "faultline collect" (pid ${live.pid}, port ${live.port}) already owns ${dataDir}. Stop it first, or use another --db directory.`,
    );
  }
  writeFileSync(collectorLockPath(dataDir), `${JSON.stringify(lock, null, 2)}\n`);
}

/** Releases the lock if it is ours. */
export function removeCollectorLock(dataDir: string, pid: number): void {
  try {
    const lock = JSON.parse(readFileSync(collectorLockPath(dataDir), "utf8")) as CollectorLock;
    if (lock.pid === pid) rmSync(collectorLockPath(dataDir), { force: true });
  } catch {
    // Already gone.
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}
