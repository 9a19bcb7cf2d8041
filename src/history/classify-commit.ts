/** Commit subjects that mark a revert: git's own `Revert "…"`, and `revert:` conventional commits. */
const REVERT = /^(revert\b|revert:|reverts?\s)|\brevert(s|ed)? (commit|pr|#|")/i;

/** Subjects that mark a fix: `fix:`/`fix(scope):`, "fixes #12", "hotfix", "bugfix", "fix crash…". */
const FIX =
  /\b(fix(e[sd])?|hotfix(e[sd])?|bug ?fix(e[sd])?|patch(ed)? (a |the )?(bug|crash|regression))\b/i;

export function isRevert(subject: string): boolean {
  return REVERT.test(subject.trim());
}

/** A revert is not also counted as a fix. */
export function isFix(subject: string): boolean {
  return !isRevert(subject) && FIX.test(subject);
}
