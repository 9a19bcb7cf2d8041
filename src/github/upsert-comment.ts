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

/** Creating a comment is not idempotent: how often a failed create is checked and retried. */
const CREATE_ATTEMPTS = 3;

/**
 * Creates Faultline's comment on a PR or updates it in place, found by its hidden marker.
 * Callers serialise calls per PR: GitHub offers no compare-and-swap on comments.
 *
 * A create that fails with a 5xx may still have landed, so it is never blindly retried:
 * the comments are listed again first, and a comment that did land is updated instead.
 * Extra marked comments by the same author (left by an older race) are deleted, so
 * exactly one remains.
 */
export async function upsertComment(params: UpsertCommentParams): Promise<UpsertCommentResult> {
  const body = params.body.includes(COMMENT_MARKER)
    ? params.body
    : `${COMMENT_MARKER}\n${params.body}`;
  for (let attempt = 1; ; attempt++) {
    const existing = await findOurs(params);
    if (existing) {
      if (existing.body !== body) {
        await params.octokit.rest.issues.updateComment({
          owner: params.owner,
          repo: params.repo,
          comment_id: existing.id,
          body,
        });
      }
      return { id: existing.id, created: false };
    }
    try {
      const { data } = await params.octokit.rest.issues.createComment({
        owner: params.owner,
        repo: params.repo,
        issue_number: params.issueNumber,
        body,
        // The retry plugin would repeat a create whose first attempt may have landed.
        request: { retries: 0 },
      });
      return { id: data.id, created: true };
    } catch (error) {
      const status = (error as { status?: number }).status ?? 0;
      const mayHaveLanded = status === 0 || status >= 500;
      if (!mayHaveLanded || attempt >= CREATE_ATTEMPTS) throw error;
      await new Promise((resolve) => setTimeout(resolve, 250 * attempt));
    }
  }
}

async function findOurs(
  params: UpsertCommentParams,
): Promise<{ id: number; body?: string } | null> {
  const { octokit, owner, repo, issueNumber } = params;
  const comments = await octokit.paginate(octokit.rest.issues.listComments, {
    owner,
    repo,
    issue_number: issueNumber,
    per_page: 100,
  });
  const ours = comments.filter((comment) => comment.body?.includes(COMMENT_MARKER));
  const author = ours[0]?.user?.login;
  // Only the same author's extra copies: never someone else's comment that quotes ours.
  for (const duplicate of ours.slice(1).filter((c) => author && c.user?.login === author)) {
    await octokit.rest.issues
      .deleteComment({ owner, repo, comment_id: duplicate.id })
      .catch(() => undefined);
  }
  const first = ours[0];
  return first ? { id: first.id, ...(first.body !== undefined ? { body: first.body } : {}) } : null;
}
