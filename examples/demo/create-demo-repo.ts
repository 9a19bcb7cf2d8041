/**
 * Builds the demo's git repository from `examples/shop`: the service's first version, a
 * past fix, and that fixed commit is what is "deployed" (production telemetry names it in
 * `service.version`). `openPullRequest` then adds the PR's commits on a branch.
 */
import { cp, mkdir, symlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { applyEdits, type Commit, HARMLESS_CHANGE, PAST_FIX, RISKY_CHANGE } from "./edits.ts";
import { git } from "./git.ts";

export interface DemoRepo {
  dir: string;
  /** The deployed commit = the PR's base. */
  deployedSha: string;
}

export const PR_BRANCH = "simplify-discounts";

/** Where the generated scenarios go inside the repository (Faultline's default). */
export const SCENARIOS_DIR = "faultline-scenarios";

export async function createDemoRepo(params: {
  projectRoot: string;
  dir: string;
}): Promise<DemoRepo> {
  const { projectRoot, dir } = params;
  await mkdir(dir, { recursive: true });
  await cp(join(projectRoot, "examples/shop"), dir, { recursive: true });
  await writeFile(join(dir, ".gitignore"), "node_modules/\n");
  // The service's dependencies come from this checkout of Faultline: nothing is downloaded.
  await mkdir(join(dir, "node_modules"), { recursive: true });
  await symlink(projectRoot, join(dir, "node_modules/faultline"), "dir");
  for (const dependency of ["@opentelemetry", "tsx", "vitest"]) {
    await symlink(
      join(projectRoot, "node_modules", dependency),
      join(dir, "node_modules", dependency),
      "dir",
    );
  }

  await git(dir, ["init", "--quiet", "--initial-branch=main"]);
  await applyEdits(dir, PAST_FIX.edits, true);
  await commitAll(dir, "Shop: catalog, pricing, discounts, cards, inventory", 60);
  await applyEdits(dir, PAST_FIX.edits);
  await commitAll(dir, PAST_FIX.message, PAST_FIX.daysAgo);
  return { dir, deployedSha: await git(dir, ["rev-parse", "HEAD"]) };
}

/** The PR: a branch off the deployed commit with the risky and the harmless change. */
export async function openPullRequest(repo: DemoRepo): Promise<string> {
  await git(repo.dir, ["checkout", "--quiet", "-b", PR_BRANCH, repo.deployedSha]);
  for (const change of [RISKY_CHANGE, HARMLESS_CHANGE] satisfies Commit[]) {
    await applyEdits(repo.dir, change.edits);
    await commitAll(repo.dir, change.message, change.daysAgo);
  }
  return git(repo.dir, ["rev-parse", "HEAD"]);
}

async function commitAll(dir: string, message: string, daysAgo: number): Promise<void> {
  const date = new Date(Date.now() - daysAgo * 86_400_000).toISOString();
  await git(dir, ["add", "--all"]);
  await git(dir, ["commit", "--quiet", "-m", message], {
    GIT_AUTHOR_DATE: date,
    GIT_COMMITTER_DATE: date,
  });
}
