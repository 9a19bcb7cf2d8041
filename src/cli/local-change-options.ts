/**
 * The flags `faultline analyze` and `faultline scenarios` share: which repository, which
 * two revisions, which configuration file.
 */
import { join, resolve } from "node:path";
import type { Command } from "commander";
import { openLocalGitSource } from "../code/local-git-source.ts";
import type { SourceProvider } from "../code/types.ts";

export interface LocalChangeFlags {
  repo: string;
  base: string;
  head: string;
  config?: string;
}

/** Adds `--repo`, `--base` and `--head` (the change to look at). */
export function addLocalChangeOptions(command: Command): Command {
  return command
    .option("--repo <dir>", "a git repository", ".")
    .option("--base <rev>", "base revision: SHA, branch, tag, HEAD~1", "HEAD~1")
    .option("--head <rev>", "head revision", "HEAD");
}

/** Adds `--config`. */
export function addConfigOption(command: Command): Command {
  return command.option(
    "--config <file>",
    "configuration file (default: <repo>/.github/faultline.yml)",
  );
}

/** The configuration file the flags name, else the repository's `.github/faultline.yml`. */
export function configPathOf(flags: LocalChangeFlags): string {
  return flags.config ?? join(resolve(flags.repo), ".github", "faultline.yml");
}

/** The local git change between `--base` and `--head` of `--repo`. */
export function openLocalChange(flags: LocalChangeFlags): Promise<SourceProvider> {
  return openLocalGitSource({ repo: flags.repo, base: flags.base, head: flags.head });
}
