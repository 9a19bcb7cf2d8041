import { mkdir, readdir, rm, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { UsageError } from "../../src/errors.ts";

const MARKER = ".faultline-demo";

/**
 * Empties the demo's output directory so re-running starts clean — but only a directory the
 * demo created itself (it holds a marker file), or an empty one: never someone's files.
 */
export async function prepareOutputDir(dir: string): Promise<void> {
  const exists = await stat(dir).then(
    (s) => s.isDirectory(),
    () => false,
  );
  if (exists) {
    const entries = await readdir(dir);
    if (entries.length > 0 && !entries.includes(MARKER)) {
      throw new UsageError(
        `${dir} exists and was not created by the demo; pass --out with another directory or remove it`,
      );
    }
    await rm(dir, { recursive: true, force: true });
  }
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, MARKER), "Created by `npm run demo`; deleted on the next run.\n");
}
