/**
 * Builds the demo's git repository from `examples/shop`: a first commit, then the commit
 * that is "deployed" (the one production telemetry will name in `service.version`).
 */
import { cp, mkdir, symlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { git } from "./git.ts";

export interface DemoRepo {
  dir: string;
  /** The deployed commit = the PR's base. */
  deployedSha: string;
}

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
  await symlink(
    join(projectRoot, "node_modules/@opentelemetry"),
    join(dir, "node_modules/@opentelemetry"),
    "dir",
  );

  await git(dir, ["init", "--quiet", "--initial-branch=main"]);
  await git(dir, ["add", "."]);
  await git(dir, [
    "commit",
    "--quiet",
    "-m",
    "Shop: catalog, pricing, discounts, cards, inventory",
  ]);
  return { dir, deployedSha: await git(dir, ["rev-parse", "HEAD"]) };
}
