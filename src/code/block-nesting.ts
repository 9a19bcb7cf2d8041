import type { Range } from "./analyse-file.ts";
import type { Block } from "./top-level-splits.ts";

/** Blocks by nesting: which hold a range, outer first, without reading every block per range. */
export class BlockNesting {
  private readonly blocks: readonly Block[];
  /** Index of each block's innermost enclosing block, or -1. */
  private readonly parents: number[] = [];

  constructor(blocks: readonly Block[]) {
    // Layouts list blocks in the order they open already.
    const ordered = blocks.every((block, i) => i === 0 || blocks[i - 1]!.open < block.open);
    this.blocks = ordered ? blocks : [...blocks].sort((a, b) => a.open - b.open);
    const open: number[] = [];
    this.blocks.forEach((block, index) => {
      while (open.length > 0 && this.blocks[open[open.length - 1]!]!.close < block.open) open.pop();
      this.parents.push(open.length > 0 ? open[open.length - 1]! : -1);
      open.push(index);
    });
  }

  /**
   * The blocks holding `range` (opening before it, closing at or after its end), outer first.
   * With `braces`, also a block whose `{` or `}` the range takes in: a changed region reaches
   * out to the characters around a changed line.
   */
  around(range: Range, braces = false): Block[] {
    const held: Block[] = [];
    const edge = braces ? 1 : 0;
    // The last block opening before the range, then its enclosing blocks: those that hold it.
    for (let at = this.firstOpeningAt(range.start + edge) - 1; at >= 0; at = this.parents[at]!) {
      if (this.blocks[at]!.close + edge >= range.end) held.push(this.blocks[at]!);
    }
    return held.reverse();
  }

  /** The first block that opens and closes inside `range` (the outermost one there), if any. */
  firstWithin(range: Range): Block | null {
    const block = this.blocks[this.firstOpeningAt(range.start)];
    return block !== undefined && block.close < range.end ? block : null;
  }

  /** Index of the first block opening at or after `offset`. */
  private firstOpeningAt(offset: number): number {
    let low = 0;
    let high = this.blocks.length;
    while (low < high) {
      const mid = (low + high) >> 1;
      if (this.blocks[mid]!.open < offset) low = mid + 1;
      else high = mid;
    }
    return low;
  }
}

/** Where a block's members may be cut: after `{`, at each member start, and at `}`. */
export function memberBounds(block: Block): number[] {
  return [block.open + 1, ...block.members, block.close];
}
