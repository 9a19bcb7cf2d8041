import { execFile } from "node:child_process";
import { promisify } from "node:util";

const run = promisify(execFile);

/** Runs git in `cwd` with a fixed identity and no user/system config, so the demo is reproducible. */
export async function git(
  cwd: string,
  args: string[],
  env: Record<string, string> = {},
): Promise<string> {
  const { stdout } = await run("git", args, {
    cwd,
    env: {
      ...process.env,
      GIT_CONFIG_GLOBAL: "/dev/null",
      GIT_CONFIG_NOSYSTEM: "1",
      GIT_AUTHOR_NAME: "Demo Developer",
      GIT_AUTHOR_EMAIL: "dev@shop.example",
      GIT_COMMITTER_NAME: "Demo Developer",
      GIT_COMMITTER_EMAIL: "dev@shop.example",
      ...env,
    },
    maxBuffer: 16 * 1024 * 1024,
  });
  return stdout.trim();
}
