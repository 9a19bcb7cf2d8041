/**
 * The Action's recipe, in order: find the revisions → load the config (drafts stop here) →
 * make sure git has the commits → analyse (code, telemetry, history, risk, scenarios) →
 * write files → render → upsert the PR comment. No `@actions/core` here: the runner
 * publishes the result.
 */
import type { Annotation } from "../report/render.ts";
import { renderComment, riskyAnnotations } from "../report/render.ts";
import { renderMessage } from "../report/render-message.ts";
import type { Report } from "../report/types.ts";
import type { ActionInputs } from "./action-inputs.ts";
import { analyzeWorkspace } from "./analyze-workspace.ts";
import { ensureMergeBase } from "./ensure-merge-base.ts";
import { gateMessage } from "./gate-message.ts";
import { loadActionConfig } from "./load-action-config.ts";
import { type CommentOutcome, postPrComment } from "./post-pr-comment.ts";
import type { PullRequestContext } from "./pull-request-context.ts";
import { resolveRevisions } from "./resolve-revisions.ts";
import { writeReportFiles } from "./write-report-files.ts";

export interface ActionParams {
  inputs: ActionInputs;
  /** The checked-out repository (GITHUB_WORKSPACE). */
  workspace: string;
  pullRequest: PullRequestContext;
  /** GITHUB_API_URL (GitHub Enterprise Server has its own). */
  apiUrl: string;
  /** GITHUB_SERVER_URL, for links in the report. */
  serverUrl: string;
  /** Where report.json and the scenarios go (emptied first). */
  outputDir: string;
  log: (message: string) => void;
  warn: (message: string) => void;
}

export interface ActionResult {
  report: Report;
  /** Markdown for the job summary. */
  summary: string;
  annotations: Annotation[];
  reportJsonPath: string;
  scenariosDir: string;
  comment: CommentOutcome;
  /** One line on the gate's verdict (the failure message when it trips). */
  gateMessage: string;
}

/** Job summaries hold up to 1 MiB per step; characters, with room for multi-byte ones. */
const SUMMARY_LIMIT = 800_000;

/** Nothing analysed (a draft PR with `drafts: false`); the step passes without outputs. */
export interface ActionSkipped {
  skipped: string;
}

export async function runFaultlineAction(
  params: ActionParams,
): Promise<ActionResult | ActionSkipped> {
  const { inputs, workspace, pullRequest, log } = params;

  const revisions = resolveRevisions(inputs, pullRequest);
  const { config, commentTemplate } = await loadActionConfig(workspace, inputs);
  if (pullRequest.draft && !config.drafts) {
    return { skipped: renderMessage("action-run", { kind: "draft-skipped" }) };
  }

  const git = await ensureMergeBase({ repo: workspace, ...revisions, log });
  const comparing = { mergeBase: git.mergeBase.slice(0, 7), head: git.head.slice(0, 7) };
  log(renderMessage("action-run", { kind: "comparing", ...comparing }));

  const report = await analyzeWorkspace({
    workspace,
    base: git.mergeBase,
    head: git.head,
    config,
    configPath: inputs.config,
    clickhouse: {
      url: inputs.clickhouseUrl,
      username: inputs.clickhouseUser,
      password: inputs.clickhousePassword,
      database: config.telemetry.database,
    },
    repo: {
      owner: pullRequest.owner,
      repo: pullRequest.repo,
      serverUrl: params.serverUrl,
      pullNumber: pullRequest.number,
    },
    labels: pullRequest.labels,
    notices: git.notices,
    log,
  });
  const { level, score } = report;
  log(renderMessage("action-run", { kind: "risk", level, score, count: report.functions.length }));

  const files = await writeReportFiles(report, params.outputDir);
  const summary = renderComment(report, { template: commentTemplate, maxLength: SUMMARY_LIMIT });

  const comment = await publishComment(params, report, commentTemplate);
  if (comment.posted) log(renderMessage("action-run", { kind: "comment-posted", ...comment }));
  else if (inputs.comment) params.warn(comment.reason);
  else log(comment.reason);

  return {
    report,
    summary,
    annotations: riskyAnnotations(report),
    reportJsonPath: files.reportJsonPath,
    scenariosDir: files.scenariosDir,
    comment,
    gateMessage: gateMessage(report),
  };
}

async function publishComment(
  params: ActionParams,
  report: Report,
  template: string | undefined,
): Promise<CommentOutcome> {
  const { inputs, pullRequest } = params;
  const notPosted = (kind: string): CommentOutcome => ({
    posted: false,
    reason: renderMessage("action-run", { kind }),
  });
  if (!inputs.comment) return notPosted("comment-off");
  if (pullRequest.number === null) return notPosted("not-a-pull-request");
  if (!inputs.githubToken) return notPosted("no-token");
  return postPrComment({
    apiUrl: params.apiUrl,
    token: inputs.githubToken,
    owner: pullRequest.owner,
    repo: pullRequest.repo,
    issueNumber: pullRequest.number,
    body: renderComment(report, { template }),
  });
}
