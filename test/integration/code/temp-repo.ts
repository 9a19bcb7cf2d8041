import { execFile } from "node:child_process";
import { mkdir, mkdtemp, rm, symlink, unlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);

/** A real git repository in a temp directory, committed to through the git CLI. */
export interface TempRepo {
  dir: string;
  /**
   * Writes (string), links (`{ link: target }`) or deletes (null) files, commits everything,
   * returns the full SHA.
   */
  commit(
    files: Record<string, string | Buffer | { link: string } | null>,
    message?: string,
  ): Promise<string>;
  git(...args: string[]): Promise<string>;
  remove(): Promise<void>;
}

/**
 * A change that retargets a symbolic link (`src/alias.js`: `ship.js` → `legacy.js`) beside a
 * real edit of `src/ship.js`; returns the base and head SHAs.
 */
export async function commitRetargetedLink(
  repo: TempRepo,
): Promise<{ base: string; head: string }> {
  const real = "export function ship(order) {\n  return order.id;\n}\n";
  const base = await repo.commit({
    "src/ship.js": real,
    "src/legacy.js": real,
    "src/alias.js": { link: "ship.js" },
  });
  const head = await repo.commit({
    "src/ship.js": real.replace("order.id", "order.key"),
    "src/alias.js": { link: "legacy.js" },
  });
  return { base, head };
}

export async function createTempRepo(): Promise<TempRepo> {
  const dir = await mkdtemp(join(tmpdir(), "faultline-code-"));
  const git = async (...args: string[]) => (await run("git", ["-C", dir, ...args])).stdout;
  await git("init", "-q", "-b", "main");
  await git("config", "user.email", "dev@example.com");
  await git("config", "user.name", "Dev");
  await git("config", "commit.gpgsign", "false");
  return {
    dir,
    git,
    async commit(files, message = "change") {
      for (const [path, content] of Object.entries(files)) {
        const full = join(dir, path);
        if (content === null) {
          await unlink(full);
          continue;
        }
        // Replace rather than write through: writing to a symbolic link writes its target.
        await rm(full, { force: true });
        await mkdir(dirname(full), { recursive: true });
        if (typeof content === "object" && "link" in content) await symlink(content.link, full);
        else await writeFile(full, content);
      }
      await git("add", "-A");
      await git("commit", "-q", "--allow-empty", "-m", message);
      return (await git("rev-parse", "HEAD")).trim();
    },
    remove: () => rm(dir, { recursive: true, force: true }),
  };
}
