import { UsageError } from "../errors.ts";
import type { ActionInputs } from "./action-inputs.ts";
import type { PullRequestContext } from "./pull-request-context.ts";

/** Base and head to compare: the inputs when set, else the pull request's SHAs. */
export function resolveRevisions(
  inputs: Pick<ActionInputs, "base" | "head">,
  pullRequest: PullRequestContext,
): { base: string; head: string } {
  const base = inputs.base ?? pullRequest.baseSha;
  if (!base) {
    throw new UsageError(
      "input `base` is empty and the triggering event is not a pull request: run the Action `on: pull_request`, or set `base` (and `head`)",
    );
  }
  return { base, head: inputs.head ?? pullRequest.headSha ?? "HEAD" };
}
