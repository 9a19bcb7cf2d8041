/** Links into the repository on GitHub: file and lines at a SHA, commits. */
import { safeUrl } from "./escape.ts";
import { shortSha } from "./format-figures.ts";
import type { FunctionReport, Report } from "./types.ts";

/** The function's lines at the head SHA (removed functions: at base). Null for local runs. */
export function blobUrl(report: Report, f: FunctionReport): string | null {
  if (!report.repo) return null;
  const { serverUrl, owner, repo } = report.repo;
  const removed = f.fn.change === "removed";
  const sha = removed ? report.base : report.head;
  const path = removed && f.fn.base ? f.fn.base.file : f.fn.file;
  const encoded = path.split("/").map(encodeURIComponent).join("/");
  return safeUrl(
    `${serverUrl}/${encodeURIComponent(owner)}/${encodeURIComponent(repo)}/blob/${shortSha(sha) ? sha : "HEAD"}/${encoded}#L${f.fn.startLine}-L${f.fn.endLine}`,
  );
}

/** A commit page, when the SHA is a SHA and the report has a repository. */
export function commitUrl(report: Report, sha: string): string | null {
  if (!report.repo || !shortSha(sha)) return null;
  const { serverUrl, owner, repo } = report.repo;
  return safeUrl(
    `${serverUrl}/${encodeURIComponent(owner)}/${encodeURIComponent(repo)}/commit/${sha}`,
  );
}
