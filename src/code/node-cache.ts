import type Parser from "tree-sitter";

/**
 * node-tree-sitter registers every node object it hands out with the node's tree (a weak
 * reference and a finalizer each), so that `Tree.edit` can shift live nodes and a node asked
 * for twice is the same object. The engine needs neither: it reads a tree's nodes before it
 * edits the tree, never after, and compares nodes by offset, not identity. The registry costs
 * more per node than the engine's own reading does, and every edit walks all of it: the
 * engine's trees go without it (an instance's own no-op methods; other trees are untouched).
 */
export function withoutNodeCache(tree: Parser.Tree): Parser.Tree {
  const binding = tree as unknown as Record<string, unknown>;
  if (typeof binding._cacheNode === "function") binding._cacheNode = skip;
  if (typeof binding._cacheNodes === "function") binding._cacheNodes = skip;
  return tree;
}

function skip(): void {}
