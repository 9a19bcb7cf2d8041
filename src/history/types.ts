import type { ChangedFunction } from "../code/types.ts";

export interface CommitInfo {
  sha: string;
  author: string;
  date: string; // ISO
  subject: string;
}

export interface FunctionHistory {
  /** Most recent first, capped. */
  recentCommits: CommitInfo[];
  /** Commits touching the function in the last 90 days. */
  churn90d: number;
  authors: string[];
  /** Past commits touching the function whose message marks a fix or a revert. */
  fixes: CommitInfo[];
  reverts: CommitInfo[];
  /** `function`: commits touching the function's lines (local git). `file`: commits touching its file (GitHub API, which has no line history). Absent = function. */
  scope?: "function" | "file";
}

/** Git history per changed function (base side). Local git, or the GitHub API. */
export interface HistoryProvider {
  forFunctions(functions: readonly ChangedFunction[]): Promise<Map<string, FunctionHistory>>;
}
