import { renderMessage } from "../report/render-message.ts";
import type { GitHubClient } from "./github-client.ts";
import { parseCommand } from "./parse-command.ts";

export interface Override {
  by: string;
  reason: string;
}

/** A comment as the issues API lists it (the fields this reads). */
export interface CommentLike {
  body?: string | undefined;
  user: { login: string; type?: string } | null;
}

const WRITE_ROLES = new Set(["admin", "maintain", "write"]);

/**
 * Whether someone overrode the gate, read from GitHub itself so the app stays stateless:
 * the configured label on the PR (credited to whoever added it last), else the newest
 * `/faultline override <reason>` comment by a user with write access.
 */
export async function findOverride(params: {
  octokit: GitHubClient;
  owner: string;
  repo: string;
  pullNumber: number;
  label: string;
  comments: readonly CommentLike[];
}): Promise<Override | null> {
  const { octokit, owner, repo, pullNumber, label } = params;
  const labels = await octokit.paginate(octokit.rest.issues.listLabelsOnIssue, {
    owner,
    repo,
    issue_number: pullNumber,
    per_page: 100,
  });
  if (labels.some((l) => l.name === label)) {
    const reason = renderMessage("app-run", { kind: "override-label", label });
    return { by: await labelledBy(params), reason };
  }
  const canWrite = new Map<string, Promise<boolean>>();
  for (const comment of [...params.comments].reverse()) {
    const login = comment.user?.login;
    if (!login || comment.user?.type === "Bot" || !comment.body) continue;
    const command = parseCommand(comment.body);
    if (command?.kind !== "override") continue;
    if (!canWrite.has(login)) canWrite.set(login, hasWriteAccess(octokit, owner, repo, login));
    if (await canWrite.get(login)) return { by: login, reason: command.reason };
  }
  return null;
}

/** admin, maintain or write on the repo (`role_name` distinguishes maintain and triage). */
export async function hasWriteAccess(
  octokit: GitHubClient,
  owner: string,
  repo: string,
  username: string,
): Promise<boolean> {
  try {
    const { data } = await octokit.rest.repos.getCollaboratorPermissionLevel({
      owner,
      repo,
      username,
    });
    return WRITE_ROLES.has(data.role_name) || WRITE_ROLES.has(data.permission);
  } catch (error) {
    if ((error as { status?: number }).status === 404) return false;
    throw error;
  }
}

async function labelledBy(params: {
  octokit: GitHubClient;
  owner: string;
  repo: string;
  pullNumber: number;
  label: string;
}): Promise<string> {
  const { octokit, owner, repo, pullNumber, label } = params;
  // Who added the label is for the record; failing to learn it must not fail the analysis.
  const events = await octokit
    .paginate(octokit.rest.issues.listEvents, {
      owner,
      repo,
      issue_number: pullNumber,
      per_page: 100,
    })
    .catch(() => []);
  const last = events
    .filter(
      (event) =>
        event.event === "labeled" &&
        "label" in event &&
        (event.label as { name?: string } | undefined)?.name === label,
    )
    .at(-1);
  return last?.actor?.login ?? "a maintainer";
}
