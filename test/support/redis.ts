/**
 * A real redis-server for tests: started on a free 127.0.0.1 port with its files in a fresh
 * temp dir, stopped (and the dir removed) by `stop()`. Debian's `redis-server` package;
 * `.ci/run` installs it.
 *
 * @example
 * const redis = await startRedis();
 * // ... REDIS_URL = redis.url ...
 * await redis.stop();
 */
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort } from "./free-port.ts";

export interface RunningRedis {
  url: string;
  port: number;
  stop(): Promise<void>;
}

function findRedisServer(): string {
  for (const candidate of ["redis-server", "/usr/bin/redis-server", "/usr/sbin/redis-server"]) {
    try {
      execFileSync(candidate, ["--version"], { stdio: "ignore" });
      return candidate;
    } catch {
      // try the next
    }
  }
  throw new Error(
    "redis-server is not installed. `.ci/run` installs it; locally run `apt-get install -y redis-server`.",
  );
}

async function exited(child: ChildProcess, ms: number): Promise<boolean> {
  if (child.exitCode !== null || child.signalCode !== null) return true;
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), ms);
    child.once("exit", () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

export async function startRedis(): Promise<RunningRedis> {
  const binary = findRedisServer();
  const dir = mkdtempSync(join(tmpdir(), "faultline-redis-"));
  // A few attempts: another process may take the free port between probe and bind.
  for (let attempt = 0; attempt < 5; attempt++) {
    const port = await freePort();
    const child = spawn(
      binary,
      [
        "--port",
        String(port),
        "--bind",
        "127.0.0.1",
        "--dir",
        dir,
        "--save",
        "",
        "--appendonly",
        "no",
        "--protected-mode",
        "no",
        "--daemonize",
        "no",
      ],
      { stdio: ["ignore", "pipe", "pipe"] },
    );
    let output = "";
    const ready = await new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => resolve(false), 10_000);
      const onData = (chunk: Buffer) => {
        output += chunk.toString();
        if (output.includes("Ready to accept connections")) {
          clearTimeout(timer);
          resolve(true);
        }
      };
      child.stdout?.on("data", onData);
      child.stderr?.on("data", onData);
      child.once("exit", () => {
        clearTimeout(timer);
        resolve(false);
      });
    });
    if (!ready) {
      child.kill("SIGKILL");
      await exited(child, 2000);
      if (output.includes("Address already in use")) continue;
      rmSync(dir, { recursive: true, force: true });
      throw new Error(`redis-server did not start:\n${output.slice(-2000)}`);
    }
    return {
      url: `redis://127.0.0.1:${port}`,
      port,
      async stop() {
        child.kill("SIGTERM");
        if (!(await exited(child, 5000))) {
          child.kill("SIGKILL");
          await exited(child, 2000);
        }
        rmSync(dir, { recursive: true, force: true });
      },
    };
  }
  rmSync(dir, { recursive: true, force: true });
  throw new Error("redis-server: no free port after 5 attempts");
}
