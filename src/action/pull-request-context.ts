import { z } from "zod";

/** What the Action needs from the workflow's triggering event. */
export interface PullRequestContext {
  owner: string;
  repo: string;
  /** Null outside pull_request events (push, workflow_dispatch): no comment then. */
  number: number | null;
  baseSha: string | null;
  headSha: string | null;
  /** Base branch name, fetched when the base SHA is missing from a shallow clone. */
  baseRef: string | null;
  labels: string[];
  draft: boolean;
}

const pullRequestPayload = z.object({
  pull_request: z
    .object({
      number: z.number().int(),
      draft: z.boolean().optional(),
      labels: z.array(z.object({ name: z.string() }).loose()).optional(),
      base: z.object({ sha: z.string(), ref: z.string() }).loose(),
      head: z.object({ sha: z.string() }).loose(),
    })
    .loose()
    .optional(),
  repository: z
    .object({ name: z.string(), owner: z.object({ login: z.string() }).loose() })
    .loose()
    .optional(),
});

/**
 * Reads the PR (number, SHAs, labels) from the event payload and the repository from the
 * payload or `GITHUB_REPOSITORY` ("owner/name").
 */
export function pullRequestContext(payload: unknown, githubRepository: string): PullRequestContext {
  const parsed = pullRequestPayload.safeParse(payload ?? {});
  const data = parsed.success ? parsed.data : {};
  const [envOwner = "", envRepo = ""] = githubRepository.split("/");
  const pr = data.pull_request;
  return {
    owner: data.repository?.owner.login ?? envOwner,
    repo: data.repository?.name ?? envRepo,
    number: pr?.number ?? null,
    baseSha: pr?.base.sha ?? null,
    headSha: pr?.head.sha ?? null,
    baseRef: pr?.base.ref ?? null,
    labels: (pr?.labels ?? []).map((label) => label.name),
    draft: pr?.draft ?? false,
  };
}
