/**
 * CODEOWNERS: which teams or people own a path. GitHub's rules: the file is looked up in
 * `.github/`, the root, then `docs/`; the last matching pattern wins; a pattern without a
 * slash matches at any depth, a leading slash anchors it, a trailing slash means a directory.
 */
import picomatch from "picomatch";

export const CODEOWNERS_PATHS = [".github/CODEOWNERS", "CODEOWNERS", "docs/CODEOWNERS"] as const;

export type OwnersOf = (path: string) => string[];

/** Parses a CODEOWNERS file into a lookup. Malformed lines are skipped, as GitHub does. */
export function parseCodeowners(text: string): OwnersOf {
  const rules: { matches: (path: string) => boolean; owners: string[] }[] = [];
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.replace(/(^|\s)#.*$/, "").trim();
    if (!line) continue;
    const [pattern, ...owners] = line.split(/\s+/);
    if (!pattern) continue;
    rules.push({ matches: compilePattern(pattern), owners });
  }
  return (path: string) => {
    for (let i = rules.length - 1; i >= 0; i--) {
      const rule = rules[i];
      if (rule?.matches(path)) return rule.owners;
    }
    return [];
  };
}

function compilePattern(pattern: string): (path: string) => boolean {
  let glob = pattern;
  const anchored = glob.startsWith("/") || glob.slice(0, -1).includes("/");
  glob = glob.replace(/^\//, "");
  if (glob.endsWith("/")) glob = `${glob}**`;
  if (!anchored) glob = `**/${glob}`;
  // A pattern naming a directory also owns everything under it.
  const globs = glob.endsWith("**") ? [glob] : [glob, `${glob}/**`];
  return picomatch(globs, { dot: true });
}
