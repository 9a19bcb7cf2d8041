/**
 * A fake GitHub REST API for tests: a real HTTP server on 127.0.0.1 that implements the
 * few endpoints Faultline calls, keeps their state in memory and records every request.
 *
 * It authenticates like GitHub does: `/app/*` needs the app's JWT (`Bearer`), everything
 * under `/repos/*` needs an installation token (`token ...`) issued by
 * `POST /app/installations/:id/access_tokens` (or by `fake.issueToken(...)` for Action-style
 * tests) for the installation that holds the repo. Uninstalling revokes the tokens.
 *
 * Add endpoints additively: one `route(...)` line each, state on `RepoState`.
 *
 * @example
 * const fake = await startFakeGitHub();
 * const repo = await fake.addRepoFromGit("acme", "shop", gitDir, { installationId: 7 });
 * fake.addPullRequest("acme", "shop", { number: 1, base: baseSha, head: headSha });
 * // ... point Probot/Octokit at fake.url ...
 * expect(fake.comments("acme", "shop", 1)).toHaveLength(1);
 * await fake.close();
 */

import { execFile } from "node:child_process";
import { createHash, createPublicKey, verify } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { promisify } from "node:util";

const exec = promisify(execFile);

export type Permission = "admin" | "maintain" | "write" | "triage" | "read" | "none";

export interface FakeGitHubOptions {
  /** OAuth client of the app's user-authorization flow. Default `Iv1.fakeclientid` / `fake-client-secret`. */
  oauthClientId?: string;
  oauthClientSecret?: string;
  /** App id reported by `GET /app` and checked in JWTs (`iss`). Default 1. */
  appId?: number;
  /** App slug; comments the app writes come from `<slug>[bot]`. Default `faultline`. */
  appSlug?: string;
  /** PEM public key: when set, app JWTs are verified (RS256, `iss`, `exp`). */
  appPublicKey?: string;
  /** How many files `GET /pulls/:n/files` lists at most (GitHub: 3,000). */
  pullFilesCap?: number;
  /** How many files `GET /compare` lists at most (GitHub: 300). */
  compareFilesCap?: number;
}

/** One request as the fake saw it. `auth` tells which credential kind was sent, never its value. */
export interface RecordedRequest {
  method: string;
  /** Path with query string, as sent. */
  url: string;
  pathname: string;
  query: Record<string, string>;
  /** The matched route template, e.g. `POST /repos/:owner/:repo/issues/:number/comments`. */
  route: string | null;
  body: unknown;
  auth: "bearer" | "token" | null;
  status: number;
  accept: string | null;
  at: number;
}

export interface FakeComment {
  id: number;
  issueNumber: number;
  body: string;
  user: { login: string; type: "User" | "Bot" };
  createdAt: string;
  updatedAt: string;
}

export interface FakeAnnotation {
  path: string;
  start_line: number;
  end_line: number;
  annotation_level: string;
  message: string;
  title?: string;
  raw_details?: string;
}

export interface FakeCheckRun {
  id: number;
  name: string;
  headSha: string;
  status: "queued" | "in_progress" | "completed";
  conclusion: string | null;
  startedAt: string | null;
  completedAt: string | null;
  externalId: string | null;
  detailsUrl: string | null;
  output: { title: string | null; summary: string | null; text: string | null };
  /** Appended across updates, as GitHub does. */
  annotations: FakeAnnotation[];
  /** Annotations count of each create/update request that carried some. */
  annotationBatches: number[];
  /** Every create/update body, in order. */
  history: Record<string, unknown>[];
}

export interface FakeCommit {
  sha: string;
  parents: string[];
  /** path -> blob sha */
  tree: Map<string, string>;
  message: string;
  author: { name: string; email: string; date: string; login: string | null };
  /** Paths this commit changed against its first parent. */
  changedPaths: string[];
  /** Paths that are symbolic links (their blob holds the target path). */
  symlinks?: Set<string>;
}

export interface FakePullRequest {
  number: number;
  title: string;
  state: "open" | "closed";
  draft: boolean;
  base: { sha: string; ref: string };
  head: { sha: string; ref: string; owner: string; repo: string };
  user: string;
}

export interface RepoState {
  id: number;
  owner: string;
  name: string;
  installationId: number;
  defaultBranch: string;
  private: boolean;
  blobs: Map<string, Buffer>;
  commits: Map<string, FakeCommit>;
  refs: Map<string, string>;
  pulls: Map<number, FakePullRequest>;
  labels: Map<number, string[]>;
  /** Issue events (`labeled`/`unlabeled`) per PR, oldest first. */
  events: Map<number, { event: string; label: string; actor: string; at: string }[]>;
  permissions: Map<string, Permission>;
  gitDir: string | null;
}

/** What a fault does to the request it hits. */
export interface FaultSpec {
  /**
   * `error`: respond `status` (default 502) with a GitHub-style message.
   * `rate-limit`: 403, `x-ratelimit-remaining: 0`, reset in `retryAfterSeconds`.
   * `secondary-rate-limit`: 403 "secondary rate limit" with `retry-after`.
   * `not-found`: 404. `delay`: answer normally after `delayMs`.
   */
  kind?: "error" | "rate-limit" | "secondary-rate-limit" | "not-found" | "delay";
  status?: number;
  /** How many matching requests it hits. Default 1. */
  times?: number;
  /** Apply the request's effect, then answer with the fault (a write that "failed" but landed). */
  applyFirst?: boolean;
  retryAfterSeconds?: number;
  delayMs?: number;
}

interface Fault extends Required<Pick<FaultSpec, "times">> {
  match: (method: string, pathname: string, route: string | null) => boolean;
  spec: FaultSpec;
}

export interface AddRepoOptions {
  installationId?: number;
  defaultBranch?: string;
  private?: boolean;
}

export interface AddPullRequestOptions {
  number: number;
  base: string;
  head: string;
  baseRef?: string;
  headRef?: string;
  title?: string;
  draft?: boolean;
  user?: string;
  /** Fork PRs: the head repo's owner/name (its commits must exist in the base repo's store). */
  headOwner?: string;
  headRepo?: string;
}

export interface FakeGitHub {
  /** Base URL to give Octokit/Probot as `baseUrl`. */
  readonly url: string;
  readonly appId: number;
  readonly appSlug: string;
  /** Every request, in arrival order. */
  readonly requests: RecordedRequest[];
  /** Requests whose route template matches (`"POST /repos/:owner/:repo/check-runs"`). */
  requestsTo(route: string): RecordedRequest[];
  addRepo(owner: string, repo: string, options?: AddRepoOptions): RepoState;
  /** Imports every commit, tree, blob and branch of a real git repository. */
  addRepoFromGit(
    owner: string,
    repo: string,
    dir: string,
    options?: AddRepoOptions,
  ): Promise<RepoState>;
  /** Adds a commit from explicit files (`null` deletes a path of the parent). Returns its SHA. */
  addCommit(
    owner: string,
    repo: string,
    files: Record<string, string | null>,
    options?: { parent?: string; message?: string; branch?: string; author?: string },
  ): string;
  addPullRequest(owner: string, repo: string, options: AddPullRequestOptions): FakePullRequest;
  /** Moves a PR's head (what a push does before `synchronize`). */
  setPullHead(owner: string, repo: string, number: number, head: string): void;
  /** Marks a PR draft or ready for review. */
  setDraft(owner: string, repo: string, number: number, draft: boolean): void;
  setPermission(owner: string, repo: string, user: string, permission: Permission): void;
  /** Sets a PR's labels; added/removed ones are recorded as issue events by `actor`. */
  setLabels(owner: string, repo: string, number: number, labels: string[], actor?: string): void;
  /** Reactions the app left on a comment (`+1`, `-1`, `eyes`, `confused`, ...). */
  reactions(commentId: number): string[];
  labels(owner: string, repo: string, number: number): string[];
  /** Adds a comment as a user (e.g. `/faultline override ...`). */
  addComment(owner: string, repo: string, number: number, user: string, body: string): FakeComment;
  comments(owner: string, repo: string, number: number): FakeComment[];
  checkRuns(owner: string, repo: string, headSha?: string): FakeCheckRun[];
  /** A valid installation token for the repo's installation (Action-style auth). */
  issueToken(owner: string, repo: string): string;
  /** Removes an installation: its tokens stop working and token requests get 404. */
  uninstall(installationId: number): void;
  /**
   * Makes the next `times` requests matching `route` fail. `route` is a route template
   * (`"GET /repos/:owner/:repo/pulls/:number/files"`) or a RegExp tested on `"METHOD /path"`.
   */
  failNext(route: string | RegExp, spec?: FaultSpec): void;
  clearFaults(): void;
  close(): Promise<void>;
  /** Users and installation accounts for the user-authorization (OAuth) flow of the setup page. */
  addUser(login: string): { id: number; login: string };
  /** The account an installation is on (default: an organization named after its first repo's owner). */
  setInstallationAccount(
    installationId: number,
    login: string,
    type: "User" | "Organization",
  ): void;
  /** Org membership as `GET /user/memberships/orgs/:org` reports it. */
  setOrgMembership(org: string, login: string, role: "admin" | "member"): void;
  /** Who `GET /login/oauth/authorize` signs in (GitHub's own session); null answers 401. */
  signInAs(login: string | null): void;
}

type Params = Record<string, string>;

interface Reply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
  raw?: string | Buffer;
}

interface Req {
  method: string;
  params: Params;
  query: Record<string, string>;
  body: Record<string, unknown>;
  accept: string;
  installationId: number | null;
  url: URL;
  /** Login of the user whose OAuth token authenticated a `user` route. */
  user?: string;
}

type Handler = (req: Req) => Reply | Promise<Reply>;

interface Route {
  method: string;
  template: string;
  regex: RegExp;
  names: string[];
  /** `user`: a user access token from the OAuth flow; `none`: no credential (web endpoints). */
  auth: "app" | "installation" | "user" | "none";
  handler: Handler;
}

const now = (): string => new Date().toISOString();

const gitBlobSha = (content: Buffer): string =>
  createHash("sha1").update(`blob ${content.length}\0`).update(content).digest("hex");

const notFound = (): Reply => ({
  status: 404,
  body: {
    message: "Not Found",
    documentation_url: "https://docs.github.com/rest",
    status: "404",
  },
});

const unprocessable = (message: string): Reply => ({
  status: 422,
  body: { message, documentation_url: "https://docs.github.com/rest", status: "422" },
});

/** Starts the fake on an ephemeral 127.0.0.1 port. */
export async function startFakeGitHub(options: FakeGitHubOptions = {}): Promise<FakeGitHub> {
  const appId = options.appId ?? 1;
  const appSlug = options.appSlug ?? "faultline";
  const pullFilesCap = options.pullFilesCap ?? 3000;
  const compareFilesCap = options.compareFilesCap ?? 300;
  const publicKey = options.appPublicKey ? createPublicKey(options.appPublicKey) : null;

  const repos = new Map<string, RepoState>();
  const tokens = new Map<string, number>();
  const uninstalled = new Set<number>();
  const comments: FakeComment[] = [];
  const commentRepo = new Map<number, string>();
  const checkRuns = new Map<number, FakeCheckRun & { repoKey: string }>();
  const requests: RecordedRequest[] = [];
  const reactions = new Map<number, string[]>();
  let faults: Fault[] = [];
  let nextId = 1000;
  let nextRepoId = 1;
  let baseUrl = "";

  const repoKey = (owner: string, repo: string): string =>
    `${owner.toLowerCase()}/${repo.toLowerCase()}`;

  const getRepo = (owner: string, repo: string): RepoState => {
    const state = repos.get(repoKey(owner, repo));
    if (!state) throw new Error(`fake GitHub: no repo ${owner}/${repo}`);
    return state;
  };

  const addRepo = (owner: string, repo: string, opts: AddRepoOptions = {}): RepoState => {
    const state: RepoState = {
      id: nextRepoId++,
      owner,
      name: repo,
      installationId: opts.installationId ?? 1,
      defaultBranch: opts.defaultBranch ?? "main",
      private: opts.private ?? false,
      blobs: new Map(),
      commits: new Map(),
      refs: new Map(),
      pulls: new Map(),
      labels: new Map(),
      events: new Map(),
      permissions: new Map(),
      gitDir: null,
    };
    repos.set(repoKey(owner, repo), state);
    return state;
  };

  const resolveRef = (repo: RepoState, ref: string | undefined): string | null => {
    const name = ref ?? repo.defaultBranch;
    if (repo.commits.has(name)) return name;
    const stripped = name.replace(/^refs\/heads\//, "");
    const branch = repo.refs.get(stripped);
    if (branch) return branch;
    for (const sha of repo.commits.keys()) {
      if (name.length >= 7 && sha.startsWith(name)) return sha;
    }
    return null;
  };

  const ancestors = (repo: RepoState, sha: string): string[] => {
    const seen = new Set<string>();
    const order: string[] = [];
    const queue = [sha];
    while (queue.length > 0) {
      const current = queue.shift()!;
      if (seen.has(current)) continue;
      seen.add(current);
      order.push(current);
      for (const parent of repo.commits.get(current)?.parents ?? []) queue.push(parent);
    }
    return order;
  };

  const mergeBase = (repo: RepoState, base: string, head: string): string => {
    const baseSet = new Set(ancestors(repo, base));
    return ancestors(repo, head).find((sha) => baseSet.has(sha)) ?? base;
  };

  interface FileEntry {
    sha: string;
    filename: string;
    status: string;
    additions: number;
    deletions: number;
    changes: number;
    patch?: string;
    previous_filename?: string;
    blob_url: string;
    raw_url: string;
    contents_url: string;
  }

  // Commits are immutable, so a diff is computed (by git, when the repo came from git) once.
  const diffCache = new Map<string, Promise<FileEntry[]>>();
  const diffTrees = (repo: RepoState, from: string, to: string): Promise<FileEntry[]> => {
    const key = `${repo.id}:${from}..${to}`;
    let cached = diffCache.get(key);
    if (!cached) {
      cached = computeDiff(repo, from, to);
      diffCache.set(key, cached);
    }
    return cached.then((files) => files.map((file) => ({ ...file })));
  };

  /** A pull request's changed files: its head against the merge base, as GitHub lists them. */
  const pullFiles = (repo: RepoState, pull: FakePullRequest): Promise<FileEntry[]> =>
    diffTrees(repo, mergeBase(repo, pull.base.sha, pull.head.sha), pull.head.sha);

  const computeDiff = async (repo: RepoState, from: string, to: string): Promise<FileEntry[]> => {
    const a = repo.commits.get(from)?.tree ?? new Map<string, string>();
    const b = repo.commits.get(to)?.tree ?? new Map<string, string>();
    const entry = (
      filename: string,
      status: string,
      sha: string,
      previous?: string,
    ): FileEntry => ({
      sha,
      filename,
      status,
      additions: 0,
      deletions: 0,
      changes: 0,
      ...(previous ? { previous_filename: previous } : {}),
      blob_url: `https://github.com/${repo.owner}/${repo.name}/blob/${to}/${filename}`,
      raw_url: `https://github.com/${repo.owner}/${repo.name}/raw/${to}/${filename}`,
      contents_url: `${baseUrl}/repos/${repo.owner}/${repo.name}/contents/${filename}?ref=${to}`,
    });
    if (repo.gitDir) {
      // Real rename detection and patches from git itself.
      const { stdout } = await exec(
        "git",
        ["diff", "--no-color", "-M", "--name-status", "-z", from, to],
        { cwd: repo.gitDir, maxBuffer: 256 * 1024 * 1024 },
      ).catch(() => ({ stdout: "" }));
      const files = parseNameStatus(stdout).map(({ status, path, previous }) =>
        entry(path, status, b.get(path) ?? a.get(previous ?? path) ?? "", previous),
      );
      const { stdout: patchText } = await exec("git", ["diff", "--no-color", "-M", from, to], {
        cwd: repo.gitDir,
        maxBuffer: 256 * 1024 * 1024,
      }).catch(() => ({ stdout: "" }));
      const patches = splitPatches(patchText);
      for (const file of files) {
        const patch = patches.get(file.filename);
        if (patch) {
          file.patch = patch.text;
          file.additions = patch.additions;
          file.deletions = patch.deletions;
          file.changes = patch.additions + patch.deletions;
        }
      }
      return files;
    }
    const removed = [...a.keys()].filter((path) => !b.has(path));
    const added = [...b.keys()].filter((path) => !a.has(path));
    const files: FileEntry[] = [];
    const renamedFrom = new Set<string>();
    for (const path of added) {
      const sha = b.get(path)!;
      const previous = removed.find((old) => a.get(old) === sha && !renamedFrom.has(old));
      if (previous) {
        renamedFrom.add(previous);
        files.push(entry(path, "renamed", sha, previous));
      } else {
        files.push(entry(path, "added", sha));
      }
    }
    for (const path of removed) {
      if (!renamedFrom.has(path)) files.push(entry(path, "removed", a.get(path)!));
    }
    for (const [path, sha] of b) {
      if (a.has(path) && a.get(path) !== sha) files.push(entry(path, "modified", sha));
    }
    return files.sort((x, y) => x.filename.localeCompare(y.filename));
  };

  const userJson = (login: string, type: "User" | "Bot" = "User") => ({
    login,
    id: Math.abs(hashCode(login)),
    type,
    html_url: `https://github.com/${login}`,
  });

  const repoJson = (repo: RepoState) => ({
    id: repo.id,
    name: repo.name,
    full_name: `${repo.owner}/${repo.name}`,
    owner: userJson(repo.owner),
    private: repo.private,
    fork: false,
    default_branch: repo.defaultBranch,
    html_url: `https://github.com/${repo.owner}/${repo.name}`,
    url: `${baseUrl}/repos/${repo.owner}/${repo.name}`,
  });

  const pullJson = (repo: RepoState, pull: FakePullRequest, changedFiles: number) => ({
    url: `${baseUrl}/repos/${repo.owner}/${repo.name}/pulls/${pull.number}`,
    id: pull.number * 1000 + repo.id,
    number: pull.number,
    state: pull.state,
    draft: pull.draft,
    title: pull.title,
    user: userJson(pull.user),
    html_url: `https://github.com/${repo.owner}/${repo.name}/pull/${pull.number}`,
    labels: (repo.labels.get(pull.number) ?? []).map((name) => ({ name })),
    head: {
      sha: pull.head.sha,
      ref: pull.head.ref,
      label: `${pull.head.owner}:${pull.head.ref}`,
      repo: {
        ...repoJson(repo),
        name: pull.head.repo,
        full_name: `${pull.head.owner}/${pull.head.repo}`,
        owner: userJson(pull.head.owner),
        fork: pull.head.owner !== repo.owner || pull.head.repo !== repo.name,
      },
    },
    base: {
      sha: pull.base.sha,
      ref: pull.base.ref,
      label: `${repo.owner}:${pull.base.ref}`,
      repo: repoJson(repo),
    },
    changed_files: changedFiles,
    commits: 1,
    additions: 0,
    deletions: 0,
  });

  const commentJson = (repo: RepoState, comment: FakeComment) => ({
    id: comment.id,
    node_id: `IC_${comment.id}`,
    url: `${baseUrl}/repos/${repo.owner}/${repo.name}/issues/comments/${comment.id}`,
    html_url: `https://github.com/${repo.owner}/${repo.name}/pull/${comment.issueNumber}#issuecomment-${comment.id}`,
    issue_url: `${baseUrl}/repos/${repo.owner}/${repo.name}/issues/${comment.issueNumber}`,
    body: comment.body,
    user: userJson(comment.user.login, comment.user.type),
    created_at: comment.createdAt,
    updated_at: comment.updatedAt,
    author_association: comment.user.type === "Bot" ? "NONE" : "MEMBER",
  });

  const checkRunJson = (repo: RepoState, run: FakeCheckRun) => ({
    id: run.id,
    name: run.name,
    head_sha: run.headSha,
    status: run.status,
    conclusion: run.conclusion,
    started_at: run.startedAt,
    completed_at: run.completedAt,
    external_id: run.externalId,
    details_url: run.detailsUrl,
    html_url: `https://github.com/${repo.owner}/${repo.name}/runs/${run.id}`,
    url: `${baseUrl}/repos/${repo.owner}/${repo.name}/check-runs/${run.id}`,
    output: { ...run.output, annotations_count: run.annotations.length },
    app: { id: appId, slug: appSlug },
    pull_requests: [],
  });

  const commitJson = (repo: RepoState, commit: FakeCommit) => ({
    sha: commit.sha,
    url: `${baseUrl}/repos/${repo.owner}/${repo.name}/commits/${commit.sha}`,
    html_url: `https://github.com/${repo.owner}/${repo.name}/commit/${commit.sha}`,
    commit: {
      message: commit.message,
      author: { name: commit.author.name, email: commit.author.email, date: commit.author.date },
      committer: {
        name: commit.author.name,
        email: commit.author.email,
        date: commit.author.date,
      },
    },
    author: commit.author.login ? userJson(commit.author.login) : null,
    parents: commit.parents.map((sha) => ({ sha })),
  });

  /** GitHub-style pagination: `page`/`per_page` and a `link` header with rel="next"/"last". */
  const paginate = <T>(req: Req, items: T[], cap = Number.POSITIVE_INFINITY): Reply => {
    const perPage = Math.min(Math.max(Number(req.query.per_page ?? 30) || 30, 1), 100);
    const page = Math.max(Number(req.query.page ?? 1) || 1, 1);
    const visible = items.slice(0, cap);
    const slice = visible.slice((page - 1) * perPage, page * perPage);
    const lastPage = Math.max(Math.ceil(visible.length / perPage), 1);
    const headers: Record<string, string> = {};
    if (page < lastPage) {
      const link = (p: number): string => {
        const next = new URL(req.url.toString());
        next.searchParams.set("page", String(p));
        next.searchParams.set("per_page", String(perPage));
        return next.toString();
      };
      headers.link = `<${link(page + 1)}>; rel="next", <${link(lastPage)}>; rel="last"`;
    }
    return { status: 200, body: slice, headers };
  };

  const routes: Route[] = [];
  const route = (
    method: string,
    template: string,
    handler: Handler,
    auth: Route["auth"] = "installation",
  ): void => {
    const names: string[] = [];
    const pattern = template
      .split("/")
      .map((segment) => {
        if (segment.startsWith(":")) {
          names.push(segment.slice(1));
          return "([^/]+)";
        }
        if (segment.startsWith("*")) {
          names.push(segment.slice(1));
          return "(.+)";
        }
        return segment.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
      })
      .join("/");
    routes.push({
      method,
      template: `${method} ${template}`,
      regex: new RegExp(`^${pattern}$`),
      names,
      auth,
      handler,
    });
  };

  /** Resolves `:owner/:repo` and checks the token belongs to the repo's installation. */
  const repoOf = (req: Req): RepoState | null => {
    const state = repos.get(repoKey(req.params.owner ?? "", req.params.repo ?? ""));
    if (!state) return null;
    if (req.installationId !== state.installationId) return null;
    return state;
  };

  // --- Apps -------------------------------------------------------------------------
  route(
    "GET",
    "/app",
    () => ({
      status: 200,
      body: { id: appId, slug: appSlug, name: appSlug, owner: userJson("faultline-dev") },
    }),
    "app",
  );

  route(
    "POST",
    "/app/installations/:id/access_tokens",
    (req) => {
      const id = Number(req.params.id);
      const known = [...repos.values()].some((repo) => repo.installationId === id);
      if (!known || uninstalled.has(id)) return notFound();
      const token = `ghs_fake_${id}_${nextId++}`;
      tokens.set(token, id);
      return {
        status: 201,
        body: {
          token,
          expires_at: new Date(Date.now() + 3_600_000).toISOString(),
          permissions: {
            checks: "write",
            contents: "read",
            metadata: "read",
            pull_requests: "write",
          },
          repository_selection: "all",
        },
      };
    },
    "app",
  );

  route(
    "GET",
    "/repos/:owner/:repo/installation",
    (req) => {
      const state = repos.get(repoKey(req.params.owner!, req.params.repo!));
      if (!state || uninstalled.has(state.installationId)) return notFound();
      return {
        status: 200,
        body: {
          id: state.installationId,
          app_id: appId,
          app_slug: appSlug,
          account: userJson(state.owner),
          target_type: "Organization",
        },
      };
    },
    "app",
  );

  // --- Repository, pulls, contents ------------------------------------------------------
  route("GET", "/repos/:owner/:repo", (req) => {
    const repo = repoOf(req);
    return repo ? { status: 200, body: repoJson(repo) } : notFound();
  });

  route("GET", "/repos/:owner/:repo/pulls/:number", async (req) => {
    const repo = repoOf(req);
    const pull = repo?.pulls.get(Number(req.params.number));
    if (!repo || !pull) return notFound();
    const files = await pullFiles(repo, pull);
    return { status: 200, body: pullJson(repo, pull, files.length) };
  });

  route("GET", "/repos/:owner/:repo/pulls/:number/files", async (req) => {
    const repo = repoOf(req);
    const pull = repo?.pulls.get(Number(req.params.number));
    if (!repo || !pull) return notFound();
    const files = await pullFiles(repo, pull);
    return paginate(req, files, pullFilesCap);
  });

  route("GET", "/repos/:owner/:repo/commits/:ref/pulls", (req) => {
    const repo = repoOf(req);
    if (!repo) return notFound();
    const sha = resolveRef(repo, req.params.ref);
    const pulls = [...repo.pulls.values()].filter((pull) => pull.head.sha === sha);
    return paginate(
      req,
      pulls.map((pull) => pullJson(repo, pull, 0)),
    );
  });

  route("GET", "/repos/:owner/:repo/compare/:basehead", async (req) => {
    const repo = repoOf(req);
    if (!repo) return notFound();
    const [baseRef, headRef] = (req.params.basehead ?? "").split("...");
    const base = resolveRef(repo, baseRef);
    const head = resolveRef(repo, headRef);
    if (!base || !head) return notFound();
    const mb = mergeBase(repo, base, head);
    const files = await diffTrees(repo, mb, head);
    const baseSet = new Set(ancestors(repo, base));
    const headSet = new Set(ancestors(repo, head));
    const ahead = [...headSet].filter((sha) => !baseSet.has(sha));
    const behind = [...baseSet].filter((sha) => !headSet.has(sha));
    return {
      status: 200,
      body: {
        status: ahead.length && behind.length ? "diverged" : ahead.length ? "ahead" : "identical",
        ahead_by: ahead.length,
        behind_by: behind.length,
        total_commits: ahead.length,
        base_commit: commitJson(repo, repo.commits.get(base)!),
        merge_base_commit: commitJson(repo, repo.commits.get(mb)!),
        commits: ahead
          .reverse()
          .slice(0, 250)
          .map((sha) => commitJson(repo, repo.commits.get(sha)!)),
        files: files.slice(0, compareFilesCap),
      },
    };
  });

  route("GET", "/repos/:owner/:repo/contents/*path", (req) => {
    const repo = repoOf(req);
    if (!repo) return notFound();
    const sha = resolveRef(repo, req.query.ref);
    const commit = sha ? repo.commits.get(sha) : undefined;
    const path = decodeURIComponent(req.params.path ?? "");
    const blobSha = commit?.tree.get(path);
    if (!commit || !blobSha) return notFound();
    const content = repo.blobs.get(blobSha) ?? Buffer.alloc(0);
    if (/raw/.test(req.accept)) {
      return {
        status: 200,
        raw: content,
        headers: { "content-type": "application/vnd.github.raw; charset=utf-8" },
      };
    }
    const name = path.split("/").at(-1) ?? path;
    if (commit.symlinks?.has(path)) {
      return {
        status: 200,
        body: {
          type: "symlink",
          target: content.toString("utf8"),
          size: content.length,
          name,
          path,
          sha: blobSha,
        },
      };
    }
    return {
      status: 200,
      body: {
        type: "file",
        encoding: "base64",
        size: content.length,
        name,
        path,
        sha: blobSha,
        content: content
          .toString("base64")
          .replace(/(.{60})/g, "$1\n")
          .trim(),
        url: `${baseUrl}/repos/${repo.owner}/${repo.name}/contents/${path}?ref=${sha}`,
      },
    };
  });

  route("GET", "/repos/:owner/:repo/git/blobs/:sha", (req) => {
    const repo = repoOf(req);
    const content = repo?.blobs.get(req.params.sha ?? "");
    if (!repo || !content) return notFound();
    return {
      status: 200,
      body: {
        sha: req.params.sha,
        size: content.length,
        encoding: "base64",
        content: content.toString("base64"),
        url: `${baseUrl}/repos/${repo.owner}/${repo.name}/git/blobs/${req.params.sha}`,
      },
    };
  });

  route("GET", "/repos/:owner/:repo/git/trees/:ref", (req) => {
    const repo = repoOf(req);
    if (!repo) return notFound();
    const sha = resolveRef(repo, req.params.ref);
    const commit = sha ? repo.commits.get(sha) : undefined;
    if (!commit) return notFound();
    const tree = [...commit.tree].map(([path, blob]) => ({
      path,
      mode: commit.symlinks?.has(path) ? "120000" : "100644",
      type: "blob",
      sha: blob,
      size: repo.blobs.get(blob)?.length ?? 0,
    }));
    return { status: 200, body: { sha, tree, truncated: false } };
  });

  route("GET", "/repos/:owner/:repo/commits", (req) => {
    const repo = repoOf(req);
    if (!repo) return notFound();
    const start = resolveRef(repo, req.query.sha);
    if (!start) return notFound();
    const since = req.query.since ? Date.parse(req.query.since) : null;
    const until = req.query.until ? Date.parse(req.query.until) : null;
    const path = req.query.path;
    const list = ancestors(repo, start)
      .map((sha) => repo.commits.get(sha)!)
      .filter((commit) => !path || commit.changedPaths.includes(path))
      .filter((commit) => since === null || Date.parse(commit.author.date) >= since)
      .filter((commit) => until === null || Date.parse(commit.author.date) <= until)
      .sort((x, y) => Date.parse(y.author.date) - Date.parse(x.author.date));
    return paginate(
      req,
      list.map((commit) => commitJson(repo, commit)),
    );
  });

  route("GET", "/repos/:owner/:repo/commits/:ref", async (req) => {
    const repo = repoOf(req);
    if (!repo) return notFound();
    const sha = resolveRef(repo, req.params.ref);
    const commit = sha ? repo.commits.get(sha) : undefined;
    if (!commit) return notFound();
    const files = commit.parents[0] ? await diffTrees(repo, commit.parents[0], commit.sha) : [];
    return { status: 200, body: { ...commitJson(repo, commit), files } };
  });

  // --- Issue comments -----------------------------------------------------------------
  route("GET", "/repos/:owner/:repo/issues/:number/comments", (req) => {
    const repo = repoOf(req);
    if (!repo) return notFound();
    const number = Number(req.params.number);
    const key = repoKey(repo.owner, repo.name);
    const list = comments.filter((c) => c.issueNumber === number && commentRepo.get(c.id) === key);
    return paginate(
      req,
      list.map((comment) => commentJson(repo, comment)),
    );
  });

  route("POST", "/repos/:owner/:repo/issues/:number/comments", (req) => {
    const repo = repoOf(req);
    if (!repo?.pulls.has(Number(req.params.number))) return notFound();
    const body = req.body.body;
    if (typeof body !== "string" || body.length === 0) return unprocessable("Body is required");
    if (body.length > 65536) return unprocessable("Body is too long (maximum is 65536 characters)");
    const comment = pushComment(repo, Number(req.params.number), `${appSlug}[bot]`, body, "Bot");
    return { status: 201, body: commentJson(repo, comment) };
  });

  route("GET", "/repos/:owner/:repo/issues/comments/:id", (req) => {
    const repo = repoOf(req);
    const comment = comments.find((c) => c.id === Number(req.params.id));
    if (!repo || !comment || commentRepo.get(comment.id) !== repoKey(repo.owner, repo.name)) {
      return notFound();
    }
    return { status: 200, body: commentJson(repo, comment) };
  });

  route("PATCH", "/repos/:owner/:repo/issues/comments/:id", (req) => {
    const repo = repoOf(req);
    const comment = comments.find((c) => c.id === Number(req.params.id));
    if (!repo || !comment || commentRepo.get(comment.id) !== repoKey(repo.owner, repo.name)) {
      return notFound();
    }
    const body = req.body.body;
    if (typeof body !== "string" || body.length === 0) return unprocessable("Body is required");
    if (body.length > 65536) return unprocessable("Body is too long (maximum is 65536 characters)");
    comment.body = body;
    comment.updatedAt = now();
    return { status: 200, body: commentJson(repo, comment) };
  });

  route("POST", "/repos/:owner/:repo/issues/comments/:id/reactions", (req) => {
    const repo = repoOf(req);
    const id = Number(req.params.id);
    const comment = comments.find((c) => c.id === id);
    if (!repo || !comment || commentRepo.get(id) !== repoKey(repo.owner, repo.name)) {
      return notFound();
    }
    const content = String(req.body.content ?? "");
    const allowed = ["+1", "-1", "laugh", "confused", "heart", "hooray", "rocket", "eyes"];
    if (!allowed.includes(content)) return unprocessable(`Invalid reaction: ${content}`);
    reactions.set(id, [...(reactions.get(id) ?? []), content]);
    return {
      status: 201,
      body: { id: nextId++, content, user: userJson(`${appSlug}[bot]`, "Bot"), created_at: now() },
    };
  });

  route("GET", "/repos/:owner/:repo/issues/:number/events", (req) => {
    const repo = repoOf(req);
    if (!repo) return notFound();
    const list = repo.events.get(Number(req.params.number)) ?? [];
    return paginate(
      req,
      list.map((event, i) => ({
        id: i + 1,
        event: event.event,
        actor: userJson(event.actor),
        label: { name: event.label, color: "ededed" },
        created_at: event.at,
      })),
    );
  });

  route("DELETE", "/repos/:owner/:repo/issues/comments/:id", (req) => {
    const repo = repoOf(req);
    const index = comments.findIndex((c) => c.id === Number(req.params.id));
    const comment = comments[index];
    if (!repo || !comment || commentRepo.get(comment.id) !== repoKey(repo.owner, repo.name)) {
      return notFound();
    }
    comments.splice(index, 1);
    return { status: 204 };
  });

  // --- Labels -------------------------------------------------------------------------
  route("GET", "/repos/:owner/:repo/issues/:number/labels", (req) => {
    const repo = repoOf(req);
    if (!repo) return notFound();
    const names = repo.labels.get(Number(req.params.number)) ?? [];
    return paginate(
      req,
      names.map((name, i) => ({ id: i + 1, name, color: "ededed" })),
    );
  });

  route("POST", "/repos/:owner/:repo/issues/:number/labels", (req) => {
    const repo = repoOf(req);
    if (!repo) return notFound();
    const number = Number(req.params.number);
    const wanted = Array.isArray(req.body.labels) ? req.body.labels.map(String) : [];
    const names = [...new Set([...(repo.labels.get(number) ?? []), ...wanted])];
    recordLabelEvents(repo, number, repo.labels.get(number) ?? [], names, `${appSlug}[bot]`);
    repo.labels.set(number, names);
    return { status: 200, body: names.map((name, i) => ({ id: i + 1, name })) };
  });

  route("DELETE", "/repos/:owner/:repo/issues/:number/labels/:name", (req) => {
    const repo = repoOf(req);
    if (!repo) return notFound();
    const number = Number(req.params.number);
    const name = decodeURIComponent(req.params.name ?? "");
    const names = repo.labels.get(number) ?? [];
    if (!names.includes(name)) return notFound();
    repo.labels.set(
      number,
      names.filter((n) => n !== name),
    );
    return { status: 200, body: [] };
  });

  // --- Collaborators --------------------------------------------------------------------
  route("GET", "/repos/:owner/:repo/collaborators/:user/permission", (req) => {
    const repo = repoOf(req);
    if (!repo) return notFound();
    const user = req.params.user ?? "";
    const permission = repo.permissions.get(user.toLowerCase()) ?? "read";
    // GitHub's legacy `permission` field folds maintain into write and triage into read.
    const legacy =
      permission === "maintain" ? "write" : permission === "triage" ? "read" : permission;
    return {
      status: 200,
      body: { permission: legacy, role_name: permission, user: userJson(user) },
    };
  });

  // --- Check runs -----------------------------------------------------------------------
  const applyCheckRunBody = (run: FakeCheckRun, body: Record<string, unknown>): Reply | null => {
    const output = body.output as
      | { title?: string; summary?: string; text?: string; annotations?: FakeAnnotation[] }
      | undefined;
    const annotations = output?.annotations ?? [];
    if (annotations.length > 50) {
      return unprocessable("Only 50 annotations are allowed per request");
    }
    if (output?.summary && output.summary.length > 65535) {
      return unprocessable("Invalid request.\n\nOnly 65535 characters are allowed; summary.");
    }
    if (output?.text && output.text.length > 65535) {
      return unprocessable("Invalid request.\n\nOnly 65535 characters are allowed; text.");
    }
    if (typeof body.conclusion === "string") {
      run.conclusion = body.conclusion;
      run.status = "completed";
    }
    if (typeof body.status === "string") {
      if (body.status === "completed" && typeof body.conclusion !== "string") {
        return unprocessable("Invalid request.\n\nNo conclusion given for a completed check run.");
      }
      run.status = body.status as FakeCheckRun["status"];
    }
    if (run.status === "completed") run.completedAt = String(body.completed_at ?? now());
    if (typeof body.started_at === "string") run.startedAt = body.started_at;
    if (typeof body.external_id === "string") run.externalId = body.external_id;
    if (typeof body.details_url === "string") run.detailsUrl = body.details_url;
    if (typeof body.name === "string") run.name = body.name;
    if (output) {
      run.output = {
        title: output.title ?? run.output.title,
        summary: output.summary ?? run.output.summary,
        text: output.text ?? run.output.text,
      };
    }
    if (annotations.length > 0) {
      run.annotations.push(...annotations);
      run.annotationBatches.push(annotations.length);
    }
    run.history.push(body);
    return null;
  };

  route("POST", "/repos/:owner/:repo/check-runs", (req) => {
    const repo = repoOf(req);
    if (!repo) return notFound();
    const { name, head_sha } = req.body;
    if (typeof name !== "string" || typeof head_sha !== "string") {
      return unprocessable('Invalid request.\n\n"name", "head_sha" weren\'t supplied.');
    }
    if (!repo.commits.has(head_sha)) return unprocessable(`No commit found for SHA: ${head_sha}`);
    const run: FakeCheckRun & { repoKey: string } = {
      id: nextId++,
      name,
      headSha: head_sha,
      status: "queued",
      conclusion: null,
      startedAt: now(),
      completedAt: null,
      externalId: null,
      detailsUrl: null,
      output: { title: null, summary: null, text: null },
      annotations: [],
      annotationBatches: [],
      history: [],
      repoKey: repoKey(repo.owner, repo.name),
    };
    const error = applyCheckRunBody(run, req.body);
    if (error) return error;
    checkRuns.set(run.id, run);
    return { status: 201, body: checkRunJson(repo, run) };
  });

  route("PATCH", "/repos/:owner/:repo/check-runs/:id", (req) => {
    const repo = repoOf(req);
    const run = checkRuns.get(Number(req.params.id));
    if (!repo || !run || run.repoKey !== repoKey(repo.owner, repo.name)) return notFound();
    const error = applyCheckRunBody(run, req.body);
    if (error) return error;
    return { status: 200, body: checkRunJson(repo, run) };
  });

  route("GET", "/repos/:owner/:repo/check-runs/:id", (req) => {
    const repo = repoOf(req);
    const run = checkRuns.get(Number(req.params.id));
    if (!repo || !run || run.repoKey !== repoKey(repo.owner, repo.name)) return notFound();
    return { status: 200, body: checkRunJson(repo, run) };
  });

  route("GET", "/repos/:owner/:repo/commits/:ref/check-runs", (req) => {
    const repo = repoOf(req);
    if (!repo) return notFound();
    const sha = resolveRef(repo, req.params.ref);
    const key = repoKey(repo.owner, repo.name);
    const runs = [...checkRuns.values()]
      .filter((run) => run.repoKey === key && run.headSha === sha)
      .filter((run) => !req.query.check_name || run.name === req.query.check_name)
      .filter((run) => !req.query.status || run.status === req.query.status)
      .sort((x, y) => y.id - x.id);
    const page = paginate(
      req,
      runs.map((run) => checkRunJson(repo, run)),
    );
    return {
      ...page,
      body: { total_count: runs.length, check_runs: page.body },
    };
  });

  function pushComment(
    repo: RepoState,
    issueNumber: number,
    login: string,
    body: string,
    type: "User" | "Bot",
  ): FakeComment {
    const at = now();
    const comment: FakeComment = {
      id: nextId++,
      issueNumber,
      body,
      user: { login, type },
      createdAt: at,
      updatedAt: at,
    };
    comments.push(comment);
    commentRepo.set(comment.id, repoKey(repo.owner, repo.name));
    return comment;
  }

  // --- User authorization (OAuth web flow) for the hosted setup page ----------------------
  const oauthClientId = options.oauthClientId ?? "Iv1.fakeclientid";
  const oauthClientSecret = options.oauthClientSecret ?? "fake-client-secret";
  const users = new Map<string, { id: number; login: string }>();
  const installationAccounts = new Map<number, { login: string; type: "User" | "Organization" }>();
  const orgMemberships = new Map<string, Map<string, "admin" | "member">>();
  const oauthCodes = new Map<string, { login: string; redirectUri: string }>();
  const userTokens = new Map<string, string>();
  let browserUser: string | null = null;

  const addUser = (login: string): { id: number; login: string } => {
    const key = login.toLowerCase();
    const existing = users.get(key);
    if (existing) return existing;
    const user = { id: 5000 + users.size, login };
    users.set(key, user);
    return user;
  };
  const accountOf = (installationId: number) => {
    const explicit = installationAccounts.get(installationId);
    if (explicit) return explicit;
    const repo = [...repos.values()].find((r) => r.installationId === installationId);
    return repo ? { login: repo.owner, type: "Organization" as const } : null;
  };
  const installationIds = (): number[] => [
    ...new Set(
      [...repos.values()].map((r) => r.installationId).concat([...installationAccounts.keys()]),
    ),
  ];

  route(
    "GET",
    "/login/oauth/authorize",
    (req) => {
      const redirectUri = req.query.redirect_uri ?? "";
      if (req.query.client_id !== oauthClientId || !redirectUri) {
        return { status: 400, raw: "unknown client_id or missing redirect_uri" };
      }
      if (!browserUser) return { status: 401, raw: "not signed in to the fake GitHub" };
      const code = `fakecode_${nextId++}`;
      oauthCodes.set(code, { login: browserUser, redirectUri });
      const location = new URL(redirectUri);
      location.searchParams.set("code", code);
      if (req.query.state) location.searchParams.set("state", req.query.state);
      return { status: 302, headers: { location: location.toString() } };
    },
    "none",
  );

  route(
    "POST",
    "/login/oauth/access_token",
    (req) => {
      const grant = oauthCodes.get(String(req.body.code ?? ""));
      oauthCodes.delete(String(req.body.code ?? ""));
      if (
        req.body.client_id !== oauthClientId ||
        req.body.client_secret !== oauthClientSecret ||
        !grant ||
        (req.body.redirect_uri !== undefined && req.body.redirect_uri !== grant.redirectUri)
      ) {
        // GitHub answers 200 with an error field.
        return { status: 200, body: { error: "bad_verification_code" } };
      }
      const token = `ghu_fake_${nextId++}`;
      userTokens.set(token, grant.login);
      return { status: 200, body: { access_token: token, token_type: "bearer", scope: "" } };
    },
    "none",
  );

  route(
    "GET",
    "/user",
    (req) => {
      const user = addUser(req.user ?? "");
      return { status: 200, body: { ...userJson(user.login), id: user.id } };
    },
    "user",
  );

  route(
    "GET",
    "/user/installations",
    (req) => {
      const login = (req.user ?? "").toLowerCase();
      const visible = installationIds().filter((id) => {
        const account = accountOf(id);
        if (!account || uninstalled.has(id)) return false;
        if (account.type === "User") return account.login.toLowerCase() === login;
        return orgMemberships.get(account.login.toLowerCase())?.has(login) ?? false;
      });
      const installations = visible.map((id) => {
        const account = accountOf(id)!;
        const accountUser =
          account.type === "User" ? addUser(account.login) : addUser(`org:${account.login}`);
        return {
          id,
          app_id: appId,
          app_slug: appSlug,
          target_type: account.type,
          account: { login: account.login, id: accountUser.id, type: account.type },
        };
      });
      return { status: 200, body: { total_count: installations.length, installations } };
    },
    "user",
  );

  route(
    "GET",
    "/user/memberships/orgs/:org",
    (req) => {
      const role = orgMemberships
        .get((req.params.org ?? "").toLowerCase())
        ?.get((req.user ?? "").toLowerCase());
      if (!role) return notFound();
      return {
        status: 200,
        body: { role, state: "active", organization: { login: req.params.org } },
      };
    },
    "user",
  );

  // --- Server ---------------------------------------------------------------------------
  const verifyJwt = (jwt: string): boolean => {
    const [header, payload, signature] = jwt.split(".");
    if (!header || !payload || !signature) return false;
    let claims: { iss?: unknown; exp?: unknown };
    try {
      claims = JSON.parse(Buffer.from(payload, "base64url").toString("utf8"));
    } catch {
      return false;
    }
    if (String(claims.iss) !== String(appId)) return false;
    if (typeof claims.exp !== "number" || claims.exp * 1000 < Date.now()) return false;
    if (!publicKey) return true;
    return verify(
      "RSA-SHA256",
      Buffer.from(`${header}.${payload}`),
      publicKey,
      Buffer.from(signature, "base64url"),
    );
  };

  const handle = async (
    request: IncomingMessage,
    response: ServerResponse,
    rawBody: Buffer,
  ): Promise<void> => {
    const url = new URL(request.url ?? "/", baseUrl);
    const method = request.method ?? "GET";
    // GitHub Enterprise Server clients (Probot with GHE_HOST) prefix every path with /api/v3.
    const pathname = url.pathname.replace(/^\/api\/v3(?=\/)/, "").replace(/\/+$/, "") || "/";
    const authorization = request.headers.authorization ?? "";
    const [scheme, credential] = authorization.split(/\s+/, 2);
    const authKind =
      scheme?.toLowerCase() === "bearer"
        ? "bearer"
        : scheme?.toLowerCase() === "token"
          ? "token"
          : null;
    const record: RecordedRequest = {
      method,
      url: `${url.pathname}${url.search}`,
      pathname,
      query: Object.fromEntries(url.searchParams),
      route: null,
      body: null,
      auth: authKind,
      status: 0,
      accept: request.headers.accept ?? null,
      at: Date.now(),
    };
    requests.push(record);
    let body: Record<string, unknown> = {};
    if (rawBody.length > 0) {
      try {
        body = JSON.parse(rawBody.toString("utf8"));
      } catch {
        body = {};
      }
      record.body = body;
    }

    const send = (reply: Reply): void => {
      record.status = reply.status;
      const headers: Record<string, string> = {
        "x-github-media-type": "github.v3; format=json",
        "x-ratelimit-limit": "5000",
        "x-ratelimit-remaining": "4999",
        "x-ratelimit-reset": String(Math.floor(Date.now() / 1000) + 3600),
        ...reply.headers,
      };
      if (reply.raw !== undefined) {
        response.writeHead(reply.status, headers);
        response.end(reply.raw);
        return;
      }
      if (reply.body === undefined) {
        response.writeHead(reply.status, headers);
        response.end();
        return;
      }
      response.writeHead(reply.status, {
        "content-type": "application/json; charset=utf-8",
        ...headers,
      });
      response.end(JSON.stringify(reply.body));
    };

    let matched: { route: Route; params: Params } | null = null;
    for (const candidate of routes) {
      if (candidate.method !== method) continue;
      const m = candidate.regex.exec(pathname);
      if (!m) continue;
      const params: Params = {};
      candidate.names.forEach((name, i) => {
        params[name] = decodeURIComponent(m[i + 1] ?? "");
      });
      matched = { route: candidate, params };
      break;
    }
    record.route = matched?.route.template ?? null;

    const fault = faults.find((f) => f.times > 0 && f.match(method, pathname, record.route));
    if (fault) fault.times -= 1;
    faults = faults.filter((f) => f.times > 0);
    const spec = fault?.spec;
    if (spec?.kind === "delay" || spec?.delayMs) {
      await new Promise((resolve) => setTimeout(resolve, spec.delayMs ?? 1000));
    }
    const faultReply = spec && spec.kind !== "delay" ? faultResponse(spec) : null;
    if (faultReply && !spec?.applyFirst) return send(faultReply);

    if (!matched) return send(notFound());
    let installationId: number | null = null;
    let user: string | undefined;
    if (matched.route.auth === "user") {
      user = credential ? userTokens.get(credential) : undefined;
      if (authKind !== "bearer" && authKind !== "token") user = undefined;
      if (!user) {
        return send({
          status: 401,
          body: { message: "Bad credentials", documentation_url: "https://docs.github.com/rest" },
        });
      }
    } else if (matched.route.auth === "none") {
      // Web endpoints (OAuth) carry no API credential.
    } else if (matched.route.auth === "app") {
      if (authKind !== "bearer" || !credential || !verifyJwt(credential)) {
        return send({
          status: 401,
          body: {
            message: "A JSON web token could not be decoded",
            documentation_url: "https://docs.github.com/rest",
          },
        });
      }
    } else {
      installationId = credential ? (tokens.get(credential) ?? null) : null;
      if (authKind !== "token" || installationId === null || uninstalled.has(installationId)) {
        return send({
          status: 401,
          body: { message: "Bad credentials", documentation_url: "https://docs.github.com/rest" },
        });
      }
    }
    const reply = await matched.route.handler({
      method,
      params: matched.params,
      query: record.query,
      body,
      accept: request.headers.accept ?? "",
      installationId,
      url,
      ...(user ? { user } : {}),
    });
    send(faultReply ?? reply);
  };

  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      handle(request, response, Buffer.concat(chunks)).catch((error: unknown) => {
        if (!response.headersSent) {
          response.writeHead(500, { "content-type": "application/json; charset=utf-8" });
        }
        response.end(JSON.stringify({ message: `fake GitHub crashed: ${String(error)}` }));
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const addCommitTo = (
    repo: RepoState,
    files: Record<string, string | null>,
    opts: { parent?: string; message?: string; branch?: string; author?: string } = {},
  ): string => {
    const parent = opts.parent ?? repo.refs.get(opts.branch ?? repo.defaultBranch);
    const tree = new Map(parent ? repo.commits.get(parent)?.tree : undefined);
    const changedPaths: string[] = [];
    for (const [path, content] of Object.entries(files)) {
      changedPaths.push(path);
      if (content === null) {
        tree.delete(path);
        continue;
      }
      const buffer = Buffer.from(content, "utf8");
      const sha = gitBlobSha(buffer);
      repo.blobs.set(sha, buffer);
      tree.set(path, sha);
    }
    const message = opts.message ?? "Update files";
    const date = new Date(Date.now() - 1000 * (100 - repo.commits.size)).toISOString();
    const sha = createHash("sha1")
      .update(`${parent ?? ""}\n${message}\n${date}\n${JSON.stringify([...tree])}`)
      .digest("hex");
    const login = opts.author ?? "octocat";
    repo.commits.set(sha, {
      sha,
      parents: parent ? [parent] : [],
      tree,
      message,
      author: { name: login, email: `${login}@example.com`, date, login },
      changedPaths,
    });
    repo.refs.set(opts.branch ?? (parent ? `branch-${sha.slice(0, 7)}` : repo.defaultBranch), sha);
    if (!parent || opts.branch === undefined) {
      if (!repo.refs.has(repo.defaultBranch)) repo.refs.set(repo.defaultBranch, sha);
    }
    return sha;
  };

  return {
    url: baseUrl,
    appId,
    appSlug,
    requests,
    requestsTo: (template) => requests.filter((r) => r.route === template),
    addRepo,
    async addRepoFromGit(owner, repo, dir, opts = {}) {
      const state = addRepo(owner, repo, opts);
      state.gitDir = dir;
      await importGit(state, dir);
      if (!opts.defaultBranch && !state.refs.has("main")) {
        const { stdout } = await exec("git", ["symbolic-ref", "--short", "HEAD"], {
          cwd: dir,
        }).catch(() => ({ stdout: "" }));
        if (stdout.trim()) state.defaultBranch = stdout.trim();
      }
      return state;
    },
    addCommit: (owner, repo, files, opts) => addCommitTo(getRepo(owner, repo), files, opts),
    addPullRequest(owner, repo, opts) {
      const state = getRepo(owner, repo);
      const pull: FakePullRequest = {
        number: opts.number,
        title: opts.title ?? `Pull request ${opts.number}`,
        state: "open",
        draft: opts.draft ?? false,
        base: { sha: opts.base, ref: opts.baseRef ?? state.defaultBranch },
        head: {
          sha: opts.head,
          ref: opts.headRef ?? `feature-${opts.number}`,
          owner: opts.headOwner ?? owner,
          repo: opts.headRepo ?? repo,
        },
        user: opts.user ?? "octocat",
      };
      state.pulls.set(opts.number, pull);
      return pull;
    },
    setPullHead(owner, repo, number, head) {
      const pull = getRepo(owner, repo).pulls.get(number);
      if (!pull) throw new Error(`fake GitHub: no PR ${owner}/${repo}#${number}`);
      pull.head.sha = head;
    },
    setDraft(owner, repo, number, draft) {
      const pull = getRepo(owner, repo).pulls.get(number);
      if (!pull) throw new Error(`fake GitHub: no PR ${owner}/${repo}#${number}`);
      pull.draft = draft;
    },
    setPermission(owner, repo, user, permission) {
      getRepo(owner, repo).permissions.set(user.toLowerCase(), permission);
    },
    setLabels(owner, repo, number, labels, actor = "octocat") {
      const state = getRepo(owner, repo);
      recordLabelEvents(state, number, state.labels.get(number) ?? [], labels, actor);
      state.labels.set(number, [...labels]);
    },
    reactions: (commentId) => [...(reactions.get(commentId) ?? [])],
    labels: (owner, repo, number) => [...(getRepo(owner, repo).labels.get(number) ?? [])],
    addComment: (owner, repo, number, user, body) =>
      pushComment(getRepo(owner, repo), number, user, body, "User"),
    comments(owner, repo, number) {
      const key = repoKey(owner, repo);
      return comments.filter((c) => c.issueNumber === number && commentRepo.get(c.id) === key);
    },
    checkRuns(owner, repo, headSha) {
      const key = repoKey(owner, repo);
      return [...checkRuns.values()]
        .filter((run) => run.repoKey === key && (!headSha || run.headSha === headSha))
        .sort((x, y) => x.id - y.id);
    },
    issueToken(owner, repo) {
      const token = `ghs_fake_${getRepo(owner, repo).installationId}_${nextId++}`;
      tokens.set(token, getRepo(owner, repo).installationId);
      return token;
    },
    uninstall(installationId) {
      uninstalled.add(installationId);
    },
    failNext(target, spec = {}) {
      const match =
        typeof target === "string"
          ? (_method: string, _path: string, routeName: string | null) => routeName === target
          : (method: string, path: string) => target.test(`${method} ${path}`);
      faults.push({ match, spec, times: spec.times ?? 1 });
    },
    addUser,
    setInstallationAccount(installationId, login, type) {
      installationAccounts.set(installationId, { login, type });
      if (type === "User") addUser(login);
    },
    setOrgMembership(org, login, role) {
      addUser(login);
      const members = orgMemberships.get(org.toLowerCase()) ?? new Map();
      members.set(login.toLowerCase(), role);
      orgMemberships.set(org.toLowerCase(), members);
    },
    signInAs(login) {
      if (login) addUser(login);
      browserUser = login;
    },
    clearFaults() {
      faults = [];
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}

function faultResponse(spec: FaultSpec): Reply {
  const docs = "https://docs.github.com/rest";
  switch (spec.kind) {
    case "rate-limit": {
      const seconds = spec.retryAfterSeconds ?? 1;
      return {
        status: 403,
        headers: {
          "x-ratelimit-limit": "5000",
          "x-ratelimit-remaining": "0",
          "x-ratelimit-reset": String(Math.floor(Date.now() / 1000) + seconds),
          "retry-after": String(seconds),
        },
        body: { message: "API rate limit exceeded for installation.", documentation_url: docs },
      };
    }
    case "secondary-rate-limit":
      return {
        status: 403,
        headers: { "retry-after": String(spec.retryAfterSeconds ?? 1) },
        body: {
          message:
            "You have exceeded a secondary rate limit. Please wait a few minutes before you try again.",
          documentation_url: docs,
        },
      };
    case "not-found":
      return { status: 404, body: { message: "Not Found", documentation_url: docs } };
    default:
      return {
        status: spec.status ?? 502,
        body: { message: "Server Error", documentation_url: docs },
      };
  }
}

function recordLabelEvents(
  repo: RepoState,
  number: number,
  before: readonly string[],
  after: readonly string[],
  actor: string,
): void {
  const list = repo.events.get(number) ?? [];
  const at = new Date().toISOString();
  for (const label of after.filter((l) => !before.includes(l))) {
    list.push({ event: "labeled", label, actor, at });
  }
  for (const label of before.filter((l) => !after.includes(l))) {
    list.push({ event: "unlabeled", label, actor, at });
  }
  repo.events.set(number, list);
}

function hashCode(text: string): number {
  let hash = 0;
  for (let i = 0; i < text.length; i++) hash = (hash * 31 + text.charCodeAt(i)) | 0;
  return hash;
}

/** Parses `git diff --name-status -z` output into GitHub file statuses. */
function parseNameStatus(stdout: string): { status: string; path: string; previous?: string }[] {
  const parts = stdout.split("\0").filter((part) => part.length > 0);
  const out: { status: string; path: string; previous?: string }[] = [];
  let i = 0;
  while (i < parts.length) {
    const code = parts[i] ?? "";
    const letter = code[0];
    if (letter === "R" || letter === "C") {
      out.push({
        status: letter === "R" ? "renamed" : "copied",
        previous: parts[i + 1] ?? "",
        path: parts[i + 2] ?? "",
      });
      i += 3;
      continue;
    }
    const status =
      letter === "A"
        ? "added"
        : letter === "D"
          ? "removed"
          : letter === "M"
            ? "modified"
            : "changed";
    out.push({ status, path: parts[i + 1] ?? "" });
    i += 2;
  }
  return out;
}

/** Splits a unified diff into per-file hunks (the `patch` field), keyed by head path. */
function splitPatches(
  text: string,
): Map<string, { text: string; additions: number; deletions: number }> {
  const result = new Map<string, { text: string; additions: number; deletions: number }>();
  for (const chunk of text.split(/^diff --git /m).slice(1)) {
    const lines = chunk.split("\n");
    const header = lines[0] ?? "";
    const plus = lines.find((line) => line.startsWith("+++ "));
    const renameTo = lines.find((line) => line.startsWith("rename to "));
    const path =
      plus && plus !== "+++ /dev/null"
        ? plus.slice(6)
        : (renameTo?.slice("rename to ".length) ??
          header.match(/ b\/(.+)$/)?.[1] ??
          lines.find((line) => line.startsWith("--- a/"))?.slice(6) ??
          "");
    const start = lines.findIndex((line) => line.startsWith("@@"));
    if (start < 0) continue;
    const hunk = lines
      .slice(start)
      .filter((line, i, all) => !(i === all.length - 1 && line === ""));
    result.set(path, {
      text: hunk.join("\n"),
      additions: hunk.filter((line) => line.startsWith("+")).length,
      deletions: hunk.filter((line) => line.startsWith("-")).length,
    });
  }
  return result;
}

/** Loads commits, trees, blobs and branches of a git repository into the fake's state. */
async function importGit(state: RepoState, dir: string): Promise<void> {
  const git = async (args: string[], input?: string): Promise<string> => {
    if (input === undefined) {
      const { stdout } = await exec("git", args, { cwd: dir, maxBuffer: 512 * 1024 * 1024 });
      return stdout;
    }
    return new Promise((resolve, reject) => {
      const child = execFile(
        "git",
        args,
        { cwd: dir, maxBuffer: 512 * 1024 * 1024, encoding: "latin1" },
        (error, stdout) => (error ? reject(error) : resolve(stdout)),
      );
      child.stdin?.end(input);
    });
  };
  const refs = await git(["for-each-ref", "--format=%(objectname) %(refname:short)", "refs/heads"]);
  for (const line of refs.split("\n").filter(Boolean)) {
    const [sha, name] = line.split(" ");
    if (sha && name) state.refs.set(name, sha);
  }
  const log = await git([
    "log",
    "--all",
    "--no-renames",
    "--format=%x1e%H%x00%P%x00%an%x00%ae%x00%aI%x00%B%x00",
    "--name-only",
  ]);
  for (const record of log.split("\x1e").filter((r) => r.trim().length > 0)) {
    const [sha = "", parents = "", name = "", email = "", date = "", message = "", names = ""] =
      record.split("\0");
    state.commits.set(sha, {
      sha,
      parents: parents.split(" ").filter(Boolean),
      tree: new Map(),
      message: message.trim(),
      author: { name, email, date: new Date(date).toISOString(), login: name || null },
      changedPaths: names.split("\n").filter(Boolean),
    });
  }
  const blobShas = new Set<string>();
  for (const commit of state.commits.values()) {
    const listing = await git(["ls-tree", "-r", "-z", "--full-tree", commit.sha]);
    for (const entry of listing.split("\0").filter(Boolean)) {
      const match = /^(\d+) (\w+) ([0-9a-f]+)\t(.*)$/s.exec(entry);
      if (!match) continue;
      if (match[2] !== "blob") continue;
      commit.tree.set(match[4]!, match[3]!);
      if (match[1] === "120000") {
        commit.symlinks ??= new Set();
        commit.symlinks.add(match[4]!);
      }
      blobShas.add(match[3]!);
    }
  }
  if (blobShas.size === 0) return;
  // One `cat-file --batch` for every blob; read as latin1 to keep byte offsets exact.
  const output = await git(["cat-file", "--batch"], `${[...blobShas].join("\n")}\n`);
  const bytes = Buffer.from(output, "latin1");
  let offset = 0;
  while (offset < bytes.length) {
    const newline = bytes.indexOf(10, offset);
    if (newline < 0) break;
    const [sha, , size] = bytes.subarray(offset, newline).toString("latin1").split(" ");
    const length = Number(size);
    state.blobs.set(sha!, Buffer.from(bytes.subarray(newline + 1, newline + 1 + length)));
    offset = newline + 1 + length + 1;
  }
}
