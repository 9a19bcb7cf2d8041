/**
 * The shop fixture as a real git repository in a temp dir, with a `FrameLocator` from the
 * code engine reading it at any commit (`git show <sha>:<path>`).
 */
import { execFile } from "node:child_process";
import { cpSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { createFunctionLocator } from "../../src/code/function-locator.ts";
import type { FrameLocator } from "../../src/telemetry/types.ts";
import { SHOP_DIR } from "./real-stacks.ts";

const run = promisify(execFile);

export interface ShopRepo {
  dir: string;
  /** The commit the shop is "deployed" at. */
  sha: string;
  locator: FrameLocator;
  remove(): void;
}

export async function createShopRepo(): Promise<ShopRepo> {
  const dir = mkdtempSync(join(tmpdir(), "faultline-shop-"));
  cpSync(SHOP_DIR, dir, { recursive: true });
  const git = (...args: string[]) => run("git", args, { cwd: dir });
  await git("init", "-q", "-b", "main");
  await git("add", ".");
  await git(
    "-c",
    "user.name=Shop Dev",
    "-c",
    "user.email=dev@shop.example",
    "commit",
    "-q",
    "-m",
    "shop",
  );
  const sha = (await git("rev-parse", "HEAD")).stdout.trim();
  const locator = createFunctionLocator({
    async readFile(rev, path) {
      try {
        return (await git("show", `${rev}:${path}`)).stdout;
      } catch {
        return null;
      }
    },
    listFiles: async () => (await git("ls-files")).stdout.split("\n").filter((f) => f !== ""),
    fallbackRevision: sha,
  });
  return { dir, sha, locator, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
