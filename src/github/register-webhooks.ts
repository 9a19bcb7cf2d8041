/**
 * Webhook handlers: each turns an event into an `AnalysisJob` and returns quickly. The
 * analysis itself runs from the queue.
 */
import type { Context, Logger, Probot } from "probot";
import type { AnalysisJob, AnalysisQueue, AnalysisReason } from "./analysis-queue.ts";
import { checkMessages } from "./check-messages.ts";
import type { CheckRunRegistry } from "./check-runs.ts";
import { hasWriteAccess } from "./find-override.ts";
import type { GitHubClient } from "./github-client.ts";
import { loadRepoConfig } from "./load-repo-config.ts";
import { parseCommand } from "./parse-command.ts";
import { retrySecondaryRateLimits } from "./retry-secondary-rate-limits.ts";

export interface WebhookDeps {
  queue: AnalysisQueue;
  checks: CheckRunRegistry;
  /** Create the check run when the webhook arrives (true) or when the job starts (false). */
  createCheckOnDelivery: boolean;
  log: Logger;
}

type CommentReaction = "+1" | "-1" | "confused" | "eyes";

export function registerWebhooks(app: Probot, deps: WebhookDeps): void {
  app.on(
    [
      "pull_request.opened",
      "pull_request.synchronize",
      "pull_request.reopened",
      "pull_request.ready_for_review",
    ],
    async (context) => {
      retrySecondaryRateLimits(context.octokit);
      const { pull_request: pull, repository } = context.payload;
      if (pull.state !== "open") return;
      if (pull.draft && !(await draftsEnabled(context.octokit, repository))) {
        deps.log.info(
          { pull: `${repository.full_name}#${pull.number}`, deliveryId: context.id },
          "draft pull request skipped (drafts: false)",
        );
        return;
      }
      await submit(context, deps, pullTarget(repository, pull, context.payload.action));
    },
  );

  app.on(["pull_request.labeled", "pull_request.unlabeled"], async (context) => {
    retrySecondaryRateLimits(context.octokit);
    const { pull_request: pull, repository, label } = context.payload;
    if (pull.state !== "open" || !label) return;
    const loaded = await loadRepoConfig({
      octokit: context.octokit,
      owner: repository.owner.login,
      repo: repository.name,
    });
    if (!loaded.ok || label.name !== loaded.config.gate.overrideLabel) return;
    await submit(context, deps, pullTarget(repository, pull, "override"));
  });

  app.on("issue_comment.created", async (context) => {
    retrySecondaryRateLimits(context.octokit);
    const { issue, comment, repository } = context.payload;
    if (!issue.pull_request || comment.user?.type === "Bot") return;
    const command = parseCommand(comment.body ?? "");
    if (!command) return;
    const owner = repository.owner.login;
    const repo = repository.name;
    const log = deps.log.child({
      pull: `${repository.full_name}#${issue.number}`,
      deliveryId: context.id,
      user: comment.user?.login,
    });
    const react = (content: CommentReaction) =>
      context.octokit.rest.reactions
        .createForIssueComment({ owner, repo, comment_id: comment.id, content })
        .catch((error: unknown) => log.warn({ err: error }, "could not react to the command"));
    if (command.kind === "invalid") {
      log.info({ command: command.message }, "unrecognised /faultline command");
      await react("confused");
      return;
    }
    if (command.kind === "override") {
      const login = comment.user?.login ?? "";
      if (!(await hasWriteAccess(context.octokit, owner, repo, login))) {
        log.info("override refused: the commenter lacks write access");
        await react("-1");
        return;
      }
    }
    const { data: pull } = await context.octokit.rest.pulls.get({
      owner,
      repo,
      pull_number: issue.number,
    });
    if (pull.state !== "open") return;
    await react(command.kind === "override" ? "+1" : "eyes");
    await submit(context, deps, {
      owner,
      repo,
      pullNumber: pull.number,
      headSha: pull.head.sha,
      baseSha: pull.base.sha,
      reason: command.kind,
    });
  });

  app.on("check_run.rerequested", async (context) => {
    retrySecondaryRateLimits(context.octokit);
    const { check_run: checkRun } = context.payload;
    if (checkRun.name !== deps.checks.name) return;
    await rerunCommit(context, deps, {
      headSha: checkRun.head_sha,
      pullNumbers: checkRun.pull_requests.map((p) => p.number),
    });
  });

  // "Re-run all checks" on the PR's Checks tab.
  app.on("check_suite.rerequested", async (context) => {
    retrySecondaryRateLimits(context.octokit);
    const { check_suite: suite } = context.payload;
    await rerunCommit(context, deps, {
      headSha: suite.head_sha,
      pullNumbers: suite.pull_requests.map((p) => p.number),
    });
  });

  app.on(["installation.deleted", "installation.suspend"], async (context) => {
    const id = context.payload.installation.id;
    deps.log.info({ installationId: id, deliveryId: context.id }, "installation removed");
    await deps.queue.cancelInstallation?.(id);
  });
}

/** Re-analyses the open PRs whose head is `headSha` (a check's or suite's re-run). */
async function rerunCommit(
  context: Context<"check_run" | "check_suite">,
  deps: WebhookDeps,
  target: { headSha: string; pullNumbers: number[] },
): Promise<void> {
  const { repository } = context.payload;
  const owner = repository.owner.login;
  const repo = repository.name;
  const numbers = [...target.pullNumbers];
  if (numbers.length === 0) {
    // Fork PRs are not listed on checks; find them by the head commit.
    const { data } = await context.octokit.rest.repos.listPullRequestsAssociatedWithCommit({
      owner,
      repo,
      commit_sha: target.headSha,
    });
    numbers.push(...data.map((p) => p.number));
  }
  for (const pullNumber of numbers) {
    const { data: pull } = await context.octokit.rest.pulls.get({
      owner,
      repo,
      pull_number: pullNumber,
    });
    if (pull.state !== "open" || pull.head.sha !== target.headSha) continue;
    await submit(context, deps, {
      owner,
      repo,
      pullNumber,
      headSha: pull.head.sha,
      baseSha: pull.base.sha,
      reason: "rerequested",
    });
  }
}

async function draftsEnabled(
  octokit: GitHubClient,
  repository: { owner: { login: string }; name: string },
): Promise<boolean> {
  const loaded = await loadRepoConfig({
    octokit,
    owner: repository.owner.login,
    repo: repository.name,
  });
  // An invalid config is reported on a check run, so let the job run and say so.
  return !loaded.ok || loaded.config.drafts;
}

type SubmitTarget = Omit<AnalysisJob, "installationId" | "deliveryId" | "checkRunId"> & {
  reason: AnalysisReason;
};

/** The job for a pull request event's repository and pull request. */
function pullTarget(
  repository: { name: string; owner: { login: string } },
  pull: { number: number; head: { sha: string }; base: { sha: string } },
  reason: AnalysisReason,
): SubmitTarget {
  return {
    owner: repository.owner.login,
    repo: repository.name,
    pullNumber: pull.number,
    headSha: pull.head.sha,
    baseSha: pull.base.sha,
    reason,
  };
}

async function submit(context: Context, deps: WebhookDeps, target: SubmitTarget): Promise<void> {
  const installationId = (context.payload as { installation?: { id: number } }).installation?.id;
  if (installationId === undefined) {
    deps.log.warn({ deliveryId: context.id }, "webhook without an installation; ignored");
    return;
  }
  const job: AnalysisJob = { ...target, installationId, deliveryId: context.id };
  if (deps.createCheckOnDelivery) {
    job.checkRunId = await deps.checks.ensure(
      context.octokit,
      { owner: job.owner, repo: job.repo, headSha: job.headSha },
      checkMessages.analysing,
    );
  }
  await deps.queue.enqueue(job);
  deps.log.info(
    {
      pull: `${job.owner}/${job.repo}#${job.pullNumber}`,
      headSha: job.headSha,
      deliveryId: job.deliveryId,
      reason: job.reason,
      checkRunId: job.checkRunId ?? null,
    },
    "analysis queued",
  );
}
