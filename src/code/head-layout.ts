import { lineOf } from "./analyse-file.ts";
import type { Hunk } from "./changed-regions.ts";
import { lastAtOrBefore } from "./parse-spans.ts";
import {
  type Block,
  type ResumableLayout,
  resumeLayout,
  sameState,
  type TopLevelLayout,
} from "./top-level-splits.ts";
import type { Language } from "./types.ts";

/**
 * How far the lexer may read past where it is (`async function` after a line-leading `async`):
 * a split this far before a hunk is decided by equal text on both sides.
 */
const lookahead = 64;

/**
 * The head's deep layout, as a pass over the whole head gives it, from the base's: the lexer
 * is deterministic and carries nothing but its state past a top-level split, so before each
 * hunk the base's splits and blocks hold for the head (shifted), and past a hunk they hold
 * again from the first split where the head's pass is in the state the base's was. Only the
 * top-level statements around the hunks are lexed again.
 */
export function headLayoutFromBase(
  base: ResumableLayout,
  baseLength: number,
  head: string,
  hunks: readonly Hunk[],
  language: Language,
): TopLevelLayout {
  const splits: number[] = [];
  const blocks: Block[] = [];
  const opens = base.blocks.map((block) => block.open);
  const copy = (from: number, to: number, shift: number) => {
    // Base output in [from, to): splits after `from` (a split already taken), blocks opening there.
    for (let i = lastAtOrBefore(base.splits, from) + 1; i < base.splits.length; i++) {
      const at = base.splits[i]!;
      if (at >= to) break;
      splits.push(at + shift);
    }
    // Blocks are in the order they open: from the first opening at or after `from`.
    for (let i = lineOf(opens, from - 1); i < opens.length && opens[i]! < to; i++) {
      const block = base.blocks[i]!;
      // Blocks are never changed once lexed: before the first hunk the head shares them.
      if (shift === 0) {
        blocks.push(block);
        continue;
      }
      blocks.push({
        open: block.open + shift,
        close: block.close + shift,
        members: block.members.map((member) => member + shift),
        kind: block.kind,
      });
    }
  };
  // The last base split `lookahead` or more before a hunk: where lexing the head may restart.
  const restartBefore = (hunk: Hunk) => lastAtOrBefore(base.splits, hunk.baseStart - lookahead);

  splits.push(0);
  // Base output is taken up to `copied` (a base split, already in `splits` moved by `shift`).
  let copied = 0;
  let shift = 0;
  for (let next = 0; next < hunks.length; ) {
    const restart = restartBefore(hunks[next]!);
    const from = base.splits[restart]!;
    copy(copied, from, shift);
    let passed = next;
    const lexed = resumeLayout(
      head,
      language,
      from + shift,
      from > 0 ? base.states[restart]! : null,
      (split, state) => {
        while (passed < hunks.length && hunks[passed]!.headStart < split) passed++;
        const last = hunks[passed - 1];
        if (!last || split < last.headEnd + lookahead) return false;
        const at = split - (last.headEnd - last.baseEnd);
        const index = lastAtOrBefore(base.splits, at);
        if (base.splits[index] !== at || !sameState(base.states[index]!, state)) return false;
        // In step with the base: stop when its output can be taken up to the next restart.
        return passed >= hunks.length || base.splits[restartBefore(hunks[passed]!)]! > at;
      },
    );
    for (const split of lexed.splits) if (split > splits[splits.length - 1]!) splits.push(split);
    blocks.push(...lexed.blocks);
    // Lexed to the end (or to where the lexer gives up, as a whole pass would).
    if (!lexed.stopped) return { splits, blocks, deep: true };
    const last = hunks[passed - 1]!;
    shift = last.headEnd - last.baseEnd;
    copied = lexed.splits[lexed.splits.length - 1]! - shift;
    next = passed;
  }
  copy(copied, baseLength + 1, shift);
  return { splits, blocks, deep: true };
}
