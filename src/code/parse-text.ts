import type Parser from "tree-sitter";
import { toolsFor } from "./parser-pool.ts";
import type { Language } from "./types.ts";

const separated = new WeakSet<Parser.Tree>();

/**
 * Parses `source` (or only `includedRanges` of it) with the reused parser of its language.
 *
 * tree-sitter-typescript reads a call signature that starts a line with `<` as a comparison
 * with the member before it (`(key: K): V` newline `<K2>(...)`, how overloaded call
 * signatures are written in interfaces and type literals), and its error recovery then loses
 * every name below. When a TypeScript parse has errors, it is retried with a `;` in place of
 * the whitespace before such a `<`: the same length, so every offset, row and column stays
 * exact. The retry is kept when its first error comes later (or never).
 */
export function parseText(
  source: string,
  language: Language,
  includedRanges?: Parser.Range[],
): Parser.Tree {
  const { parser } = toolsFor(language);
  const options = includedRanges ? { includedRanges } : undefined;
  const tree = parser.parse(source, undefined, options);
  if (language !== "typescript" || !tree.rootNode.hasError) return tree;
  const patched = separateCallSignatures(source);
  if (patched === source) return tree;
  const retry = parser.parse(patched, undefined, options);
  if (firstErrorAt(retry) <= firstErrorAt(tree)) return tree;
  separated.add(retry);
  return retry;
}

/**
 * Whether a tree was parsed from the `;`-separated text: an incremental re-parse of the
 * original text from it would reuse subtrees holding those `;`s.
 */
export function parsedSeparated(tree: Parser.Tree): boolean {
  return separated.has(tree);
}

/** `source` with a `;` before each line-leading `<` that follows a line ending a type. */
export function separateCallSignatures(source: string): string {
  const lines = source.split("\n");
  let previous = "";
  let changed = false;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] as string;
    const trimmed = line.trim();
    if (trimmed === "" || trimmed.startsWith("//")) continue;
    const at = line.indexOf("<");
    if (
      at > 0 &&
      line.slice(0, at).trim() === "" &&
      /^<(?:[\w$]|\s*$)/.test(trimmed) &&
      /[\w$)\]}>'"`?]$/.test(previous)
    ) {
      lines[i] = `${line.slice(0, at - 1)};${line.slice(at)}`;
      changed = true;
    }
    previous = trimmed.replace(/\s*\/\/.*$/, "");
  }
  return changed ? lines.join("\n") : source;
}

/** Offset of the first error or missing node, or Infinity for a clean tree. */
function firstErrorAt(tree: Parser.Tree): number {
  let node: Parser.SyntaxNode | null = tree.rootNode;
  if (!node.hasError) return Number.POSITIVE_INFINITY;
  while (node) {
    if (node.type === "ERROR" || node.isMissing) return node.startIndex;
    node = node.children.find((child) => child.hasError) ?? null;
  }
  return Number.POSITIVE_INFINITY;
}
