import { UsageError } from "../errors.ts";
import { renderMessage } from "../report/render-message.ts";
import type { ActionInputs } from "./action-inputs.ts";
import type { PullRequestContext } from "./pull-request-context.ts";

/** Base and head to compare: the inputs when set, else the pull request's SHAs. */
export function resolveRevisions(
  inputs: Pick<ActionInputs, "base" | "head">,
  pullRequest: PullRequestContext,
): { base: string; head: string } {
  const base = inputs.base ?? pullRequest.baseSha;
  if (!base) {
    throw new UsageError(renderMessage("action-inputs", { kind: "no-base" }));
  }
  return { base, head: inputs.head ?? pullRequest.headSha ?? "HEAD" };
}
