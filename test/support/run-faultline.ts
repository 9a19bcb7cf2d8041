import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";

const run = promisify(execFile);
const bin = fileURLToPath(new URL("../../bin/faultline.js", import.meta.url));

export interface CliRun {
  /** Exit code (0 on success). */
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs the real CLI (`bin/faultline.js`) as a child process in `cwd`; a non-zero exit is a
 * result, not a throw.
 * @example const { code, stdout } = await runFaultline(repo.dir, "analyze", "--format", "json");
 */
export async function runFaultline(cwd: string, ...args: string[]): Promise<CliRun> {
  try {
    const { stdout, stderr } = await run(process.execPath, [bin, ...args], { cwd });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}
