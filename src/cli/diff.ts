import type { Command } from "commander";
import { collectChanges } from "../code/collect-changes.ts";
import { formatChangeTable } from "../code/format-change-table.ts";
import { openLocalGitSource } from "../code/local-git-source.ts";
import { UsageError } from "../errors.ts";

interface DiffOptions {
  repo: string;
  base: string;
  head: string;
  format: string;
  ignore?: string[];
  callers: boolean;
}

export function registerDiff(program: Command): void {
  program
    .command("diff")
    .description("List the functions changed between two revisions of a local git repository.")
    .option("--repo <dir>", "a git repository (work tree or bare)", ".")
    .option("--base <rev>", "base revision: SHA, branch, tag, HEAD~1", "HEAD~1")
    .option("--head <rev>", "head revision", "HEAD")
    .option("--format <format>", "json or table", "json")
    .option("--ignore <glob...>", "paths never analysed (repeatable)")
    .option("--no-callers", "skip the call-site (blast radius) search")
    .addHelpText(
      "after",
      `
Output (--format json), lines 1-based and inclusive, head lines (base lines for removed):
  {"base":"<sha>","head":"<sha>",
   "functions":[{"file","name","change":"added|modified|removed","startLine","endLine",
                 "renamedFrom"?,"signatureChanged","callers":[{"file","line","function"}],
                 "base"?,"changeRatio","exported","syntaxErrors"?}],
   "skipped":[{"file","reason"}],"notices":[...]}

Names are qualified: Class.method, object.method, Foo.prototype.bar, outer.inner,
setup.<anonymous> for unnamed callbacks. A function whose body only moved is not a change.

Exit codes: 0 ok, 2 bad flags / not a git repository / unknown revision.

Example:
  faultline diff --repo . --base origin/main --head HEAD --format table`,
    )
    .action(async (options: DiffOptions) => {
      if (options.format !== "json" && options.format !== "table") {
        throw new UsageError(`--format ${options.format}: use json or table`);
      }
      const source = await openLocalGitSource({
        repo: options.repo,
        base: options.base,
        head: options.head,
      });
      const changes = await collectChanges(source, {
        ...(options.ignore ? { ignore: options.ignore } : {}),
        callers: options.callers,
      });
      process.stdout.write(
        options.format === "json"
          ? `${JSON.stringify(changes, null, 2)}\n`
          : formatChangeTable(changes),
      );
    });
}
