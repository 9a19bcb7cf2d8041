import { execFile } from "node:child_process";

export interface GitResult {
  ok: boolean;
  stdout: string;
  stderr: string;
}

/**
 * Runs `git -C repo ...args` without a shell and without prompting for credentials;
 * never throws for a failing git command (callers word their own errors).
 */
export function runGit(
  repo: string,
  args: readonly string[],
  timeoutMs = 120_000,
): Promise<GitResult> {
  return new Promise((resolve) => {
    execFile(
      "git",
      ["-C", repo, ...args],
      {
        encoding: "utf8",
        maxBuffer: 64 * 1024 * 1024,
        timeout: timeoutMs,
        env: { ...process.env, GIT_TERMINAL_PROMPT: "0", LC_ALL: "C" },
      },
      (error, stdout, stderr) => {
        resolve({
          ok: !error,
          stdout: stdout.trim(),
          stderr: (stderr || error?.message || "").trim(),
        });
      },
    );
  });
}
