import type { Language } from "./types.ts";

const byExtension: Record<string, Language> = {
  ".js": "javascript",
  ".jsx": "javascript",
  ".mjs": "javascript",
  ".cjs": "javascript",
  ".ts": "typescript",
  ".mts": "typescript",
  ".cts": "typescript",
  ".tsx": "tsx",
};

/**
 * The grammar for a path, or null when Faultline does not parse it.
 * `.js`/`.jsx` use the JavaScript grammar (which includes JSX); `.tsx` needs the TSX
 * grammar because `<T>x` means a JSX element there, not a type assertion.
 *
 * @example languageFor("src/app.tsx") // "tsx"
 */
export function languageFor(path: string): Language | null {
  const slash = path.lastIndexOf("/");
  const dot = path.lastIndexOf(".");
  if (dot <= slash + 1) return null;
  return byExtension[path.slice(dot).toLowerCase()] ?? null;
}
