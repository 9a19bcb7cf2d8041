import type { Octokit } from "@octokit/rest";

/** Hidden marker that identifies Faultline's one comment on a PR (app and Action share it). */
export const COMMENT_MARKER = "<!-- faultline:report -->";

/** The REST surface this needs; both Probot's `context.octokit` and `@octokit/rest` provide it. */
export type CommentsClient = Pick<Octokit, "paginate" | "rest">;

export interface UpsertCommentParams {
  octokit: CommentsClient;
  owner: string;
  repo: string;
  issueNumber: number;
  /** Full comment body; the marker is added when missing. */
  body: string;
}

export interface UpsertCommentResult {
  id: number;
  created: boolean;
}

/**
 * Creates Faultline's comment on a PR or updates it in place, found by its hidden marker.
 * Callers serialise calls per PR: GitHub offers no compare-and-swap on comments.
 */
export async function upsertComment(params: UpsertCommentParams): Promise<UpsertCommentResult> {
  const { octokit, owner, repo, issueNumber } = params;
  const body = params.body.includes(COMMENT_MARKER)
    ? params.body
    : `${COMMENT_MARKER}\n${params.body}`;
  const comments = await octokit.paginate(octokit.rest.issues.listComments, {
    owner,
    repo,
    issue_number: issueNumber,
    per_page: 100,
  });
  const ours = comments.filter((comment) => comment.body?.includes(COMMENT_MARKER));
  const existing = ours[0];
  if (existing) {
    if (existing.body !== body) {
      await octokit.rest.issues.updateComment({ owner, repo, comment_id: existing.id, body });
    }
    return { id: existing.id, created: false };
  }
  const { data } = await octokit.rest.issues.createComment({
    owner,
    repo,
    issue_number: issueNumber,
    body,
  });
  return { id: data.id, created: true };
}
