import { Octokit } from "@octokit/rest";
import { upsertComment } from "../github/upsert-comment.ts";
import { renderMessage } from "../report/render-message.ts";

export interface PostPrCommentParams {
  apiUrl: string;
  token: string;
  owner: string;
  repo: string;
  issueNumber: number;
  body: string;
}

export type CommentOutcome =
  | { posted: true; id: number; created: boolean }
  | { posted: false; reason: string };

/**
 * Creates or updates Faultline's one comment on the PR (same marker as the App). A
 * refused write is reported, not thrown: PRs from forks get a read-only token, and the
 * job summary still carries the report.
 */
export async function postPrComment(params: PostPrCommentParams): Promise<CommentOutcome> {
  const octokit = new Octokit({
    auth: params.token,
    baseUrl: params.apiUrl.replace(/\/+$/, ""),
    userAgent: "faultline-action",
    // Octokit logs every 4xx at warn level; the outcome below says it once.
    log: { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} },
  });
  try {
    const result = await upsertComment({
      octokit,
      owner: params.owner,
      repo: params.repo,
      issueNumber: params.issueNumber,
      body: params.body,
    });
    return { posted: true, ...result };
  } catch (error) {
    const status = (error as { status?: number }).status;
    const message = error instanceof Error ? error.message : String(error);
    const reason = renderMessage("action-run", {
      kind: "comment-refused",
      status: status ?? "error",
      error: message,
      readOnly: status === 403 || status === 404,
    });
    return { posted: false, reason };
  }
}
