/**
 * Every child process the demo starts, so it can stop them all: on success, on error and
 * on Ctrl-C. Children get SIGTERM (they flush telemetry on it), then SIGKILL after a grace
 * period.
 */
import { type ChildProcess, type SpawnOptions, spawn } from "node:child_process";
import { once } from "node:events";

export interface StartedProcess {
  name: string;
  child: ChildProcess;
  /** Resolves with the exit code (null when killed by a signal). */
  exited: Promise<number | null>;
  /** stdout + stderr, for error messages. */
  output(): string;
}

export class ProcessGroup {
  private readonly running = new Set<StartedProcess>();

  start(name: string, command: string, args: string[], options: SpawnOptions = {}): StartedProcess {
    const child = spawn(command, args, { stdio: ["ignore", "pipe", "pipe"], ...options });
    let output = "";
    const keep = (chunk: Buffer): void => {
      output = (output + chunk.toString("utf8")).slice(-20_000);
    };
    child.stdout?.on("data", keep);
    child.stderr?.on("data", keep);
    const exited = new Promise<number | null>((resolve) => {
      child.once("exit", (code) => resolve(code));
      child.once("error", (error) => {
        output += `\n${error.message}`;
        resolve(-1);
      });
    });
    const started: StartedProcess = { name, child, exited, output: () => output };
    this.running.add(started);
    void exited.then(() => this.running.delete(started));
    return started;
  }

  /** Pids still running (for tests that check nothing leaks). */
  pids(): number[] {
    return [...this.running]
      .map((p) => p.child.pid)
      .filter((pid): pid is number => pid !== undefined);
  }

  /** SIGTERM, then SIGKILL after `graceMs`; resolves when the process has exited. */
  async stop(process: StartedProcess, graceMs = 10_000): Promise<number | null> {
    if (process.child.exitCode !== null || process.child.signalCode !== null) {
      return process.exited;
    }
    process.child.kill("SIGTERM");
    const timer = setTimeout(() => process.child.kill("SIGKILL"), graceMs);
    try {
      return await process.exited;
    } finally {
      clearTimeout(timer);
    }
  }

  async stopAll(graceMs = 5_000): Promise<void> {
    await Promise.all([...this.running].map((p) => this.stop(p, graceMs)));
  }

  /** Synchronous last resort for `process.on("exit")`: nothing can be awaited there. */
  killAllNow(): void {
    for (const p of this.running) p.child.kill("SIGKILL");
  }
}

/** Waits for a line on the child's stdout matching `test`, or fails when it exits or times out. */
export async function waitForLine(
  process: StartedProcess,
  test: (line: string) => boolean,
  timeoutMs: number,
): Promise<string> {
  const stdout = process.child.stdout;
  if (!stdout) throw new Error(`${process.name}: stdout is not piped`);
  let buffered = "";
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeoutMs);
  try {
    const found = new Promise<string>((resolve) => {
      const onData = (chunk: Buffer): void => {
        buffered += chunk.toString("utf8");
        const lines = buffered.split("\n");
        buffered = lines.pop() ?? "";
        const line = lines.find(test);
        if (line !== undefined) {
          stdout.off("data", onData);
          resolve(line);
        }
      };
      stdout.on("data", onData);
    });
    const failed = Promise.race([
      process.exited.then((code) => {
        throw new Error(
          `${process.name} exited (code ${code}) before it was ready:\n${process.output()}`,
        );
      }),
      once(controller.signal, "abort").then(() => {
        throw new Error(
          `${process.name} was not ready after ${timeoutMs} ms:\n${process.output()}`,
        );
      }),
    ]);
    return await Promise.race([found, failed]);
  } finally {
    clearTimeout(timer);
    controller.abort();
  }
}
