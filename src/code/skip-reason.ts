/** Files larger than this are not parsed (generated data, bundles). */
export const maxFileBytes = 1024 * 1024;

/**
 * Why a source path is not analysed, judged from the path alone, or null.
 * `dist/` and `build/` count as build output unless they sit under a `src/` folder
 * (Next.js keeps real sources in `packages/next/src/build/`).
 */
export function pathSkipReason(path: string): string | null {
  if (/\.d\.[cm]?ts$/.test(path)) return "type declarations (.d.ts)";
  const segments = path.split("/");
  const folders = segments.slice(0, -1);
  if (folders.includes("node_modules")) return "vendored (node_modules/)";
  const src = folders.indexOf("src");
  for (const [index, folder] of folders.entries()) {
    if ((folder === "dist" || folder === "build") && (src < 0 || src > index)) {
      return `build output (${folder}/)`;
    }
  }
  if (/[.-]min\.[cm]?js$/.test(path)) return "minified (.min.js)";
  return null;
}

/** Why a file's content is not analysed (size, minified, generated), or null. */
export function contentSkipReason(content: string): string | null {
  if (utf8LargerThan(content, maxFileBytes)) return "larger than 1 MiB";
  if (isMinified(content)) return "minified (very long lines)";
  if (isGenerated(content)) return "generated (@generated marker)";
  return null;
}

/**
 * Whether `content` takes more than `limit` bytes as UTF-8, counted only when its length
 * leaves that in doubt (a UTF-16 unit takes one to three bytes).
 */
function utf8LargerThan(content: string, limit: number): boolean {
  if (content.length > limit) return true;
  if (content.length * 3 <= limit) return false;
  return Buffer.byteLength(content, "utf8") > limit;
}

/** A NUL byte in the first 8 KB: git's own binary heuristic. */
export function isBinary(content: Buffer | string): boolean {
  if (typeof content === "string") return content.slice(0, 8000).includes("\0");
  return content.subarray(0, 8000).includes(0);
}

function isMinified(content: string): boolean {
  if (content.length < 2000) return false;
  // A hand-written file can hold one long line (a data URL); a minified one is mostly long lines.
  // Once there are this many lines, the average cannot exceed 300: stop counting.
  const enoughLines = content.length / 300;
  let longest = 0;
  let lines = 0;
  let start = 0;
  while (start <= content.length) {
    let end = content.indexOf("\n", start);
    if (end < 0) end = content.length;
    longest = Math.max(longest, end - start);
    lines += 1;
    if (lines >= enoughLines) return false;
    start = end + 1;
  }
  return longest > 1000 && content.length / lines > 300;
}

function isGenerated(content: string): boolean {
  const header = content.slice(0, 2048);
  // The markers' words first: most headers have neither.
  return (
    (header.includes("@generated") && /^\s*(?:\/\/|\/\*+|\*)[^\n]*@generated\b/m.test(header)) ||
    (header.includes("Code generated") &&
      /^\s*\/\/\s*Code generated\b[^\n]*DO NOT EDIT/m.test(header))
  );
}
