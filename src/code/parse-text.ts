import type Parser from "tree-sitter";
import { withoutNodeCache } from "./node-cache.ts";
import { toolsFor } from "./parser-pool.ts";
import type { Language } from "./types.ts";

const rewritten = new WeakSet<Parser.Tree>();
const parsedRanges = new WeakMap<Parser.Tree, readonly Parser.Range[]>();

/**
 * The ranges a tree was parsed from (what `tree.getIncludedRanges()` answers, without a trip
 * through the binding for each analysis), or null for a tree of the whole text.
 */
export function includedRangesOf(tree: Parser.Tree): readonly Parser.Range[] | null {
  return parsedRanges.get(tree) ?? null;
}

/** Records that `tree` was parsed from `includedRanges` (see `includedRangesOf`). */
export function parsedFromRanges(
  tree: Parser.Tree,
  includedRanges: readonly Parser.Range[] | undefined,
): Parser.Tree {
  if (includedRanges) parsedRanges.set(tree, includedRanges);
  return tree;
}

/**
 * Parses `source` (or only `includedRanges` of it) with the reused parser of its language.
 *
 * tree-sitter-typescript 0.23 misreads some valid TypeScript, and its error recovery can then
 * lose every name below: a call signature that starts a line with `<` (how overloaded call
 * signatures are written in interfaces and type literals) reads as a comparison with the
 * member before it; variance modifiers (`<in T>`, `<out T>`) and `export type * from` are
 * not in its grammar.
 * When a TypeScript parse has errors, it is retried on a rewrite of the same length (see
 * `rewriteForTreeSitter`), so every offset, row and column stays exact; the retry is kept
 * when its first error comes later (or never).
 */
export function parseText(
  source: string,
  language: Language,
  includedRanges?: Parser.Range[],
): Parser.Tree {
  const { parser } = toolsFor(language);
  const options = includedRanges ? { includedRanges } : undefined;
  const tree = parsedFromRanges(
    withoutNodeCache(parser.parse(source, undefined, options)),
    includedRanges,
  );
  if (language !== "typescript" || !tree.rootNode.hasError) return tree;
  const patched = rewriteForTreeSitter(source);
  if (patched === source) return tree;
  const retry = withoutNodeCache(parser.parse(patched, undefined, options));
  if (firstErrorAt(retry) <= firstErrorAt(tree)) return tree;
  rewritten.add(retry);
  return parsedFromRanges(retry, includedRanges);
}

/**
 * Whether a tree was parsed from the rewritten text: an incremental re-parse of the
 * original text from it would reuse subtrees holding the rewrite.
 */
export function parsedFromRewrite(tree: Parser.Tree): boolean {
  return rewritten.has(tree);
}

/**
 * `source` rewritten, at the same length, around what tree-sitter-typescript 0.23 misreads:
 * a `;` before each line-leading `<` that follows a finished member (overloaded call
 * signatures); variance modifiers on type parameters (`<in T>`, `<out T>`) and the `type` of
 * `export type * from` blanked.
 */
export function rewriteForTreeSitter(source: string): string {
  const lines = source.split("\n");
  let previous = "";
  let changed = false;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] as string;
    const trimmed = line.trim();
    // Comment lines (`//`, and JSDoc's `/**`, `*`, `*/`) do not end a member.
    if (trimmed === "" || /^(?:\/\/|\/\*|\*)/.test(trimmed)) continue;
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
  const separated = changed ? lines.join("\n") : source;
  return separated
    .replace(
      variance,
      (_match, before: string, modifier: string) => before + " ".repeat(modifier.length),
    )
    .replace(typeStarExport, (_match, before: string) => `${before}    `);
}

// `export type * from` (TypeScript 5.0), read as `export * from`.
const typeStarExport = /(\bexport\s+)type(?=\s+\*)/g;

// A type parameter's variance modifier: after `<` or `,` (and any comments), before
// `Name extends|=|,|>`.
const variance =
  /([<,](?:\s|\/\*(?:[^*]|\*(?!\/))*\*\/)*)(in\s+out|in|out)(?=\s+[A-Za-z_$][\w$]*\s*(?:extends\b|=|,|>))/g;

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
