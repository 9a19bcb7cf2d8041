/**
 * Loads a native tree-sitter binding inside the Action bundle. The bundle build replaces
 * each package's `node-gyp-build(__dirname)` call (which looks for a `node_modules` layout
 * that the bundle does not have) with a call to this, and copies the `.node` files to
 * `dist/native/<platform>-<arch>/`. Outside the bundle nothing calls it.
 */
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import { UserError } from "../errors.ts";

/**
 * Tries each candidate file (first the upstream prebuild, then any compatibility build)
 * and returns the first that loads.
 */
export function loadNativeBinding(name: string, candidates: readonly string[]): unknown {
  const platform = `${process.platform}-${process.arch}`;
  const dir = new URL(`./native/${platform}/`, import.meta.url);
  const load = createRequire(import.meta.url);
  const failures: string[] = [];
  for (const candidate of candidates) {
    const path = fileURLToPath(new URL(candidate, dir));
    if (!existsSync(path)) continue;
    try {
      return load(path);
    } catch (error) {
      failures.push(
        `${candidate}: ${error instanceof Error ? error.message.split("\n")[0] : String(error)}`,
      );
    }
  }
  const why =
    failures.length > 0
      ? `the bundled ${name} binding does not load on this runner (${failures.join("; ")})`
      : `the Action bundles ${name} for linux-x64 only and this runner is ${platform}`;
  throw new UserError(
    `Faultline cannot parse code here: ${why}. Run the job on a GitHub-hosted Linux x64 runner (runs-on: ubuntu-latest), or use the faultline CLI from npm on this platform.`,
  );
}
