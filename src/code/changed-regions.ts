import type { Range } from "./analyse-file.ts";

/** Where two versions of a file differ: character ranges on each side (empty = insertion point). */
export interface ChangedRegions {
  base: Range[];
  head: Range[];
  /** The raw line hunks as character offsets: base [baseStart, baseEnd) became head [headStart, headEnd). */
  hunks: Hunk[];
}

export interface Hunk {
  baseStart: number;
  baseEnd: number;
  headStart: number;
  headEnd: number;
}

// Beyond this many line edits, treat everything between the common prefix and suffix as changed.
const maxEdits = 2000;

/**
 * Line-level differences between base and head (Myers' diff over line ids), as character
 * ranges on both sides. Every deleted base line and every inserted head line is covered,
 * plus the point on the other side where it happened, so a window around the ranges sees
 * the same functions on both sides. A superset is always safe; it only costs time.
 */
export function changedRegions(base: string, head: string): ChangedRegions {
  const { a, b } = middleLines(base, head);
  let prefix = 0;
  while (
    prefix < a.lines.length &&
    prefix < b.lines.length &&
    a.lines[prefix] === b.lines[prefix]
  ) {
    prefix++;
  }
  let suffix = 0;
  while (
    suffix < a.lines.length - prefix &&
    suffix < b.lines.length - prefix &&
    a.lines[a.lines.length - 1 - suffix] === b.lines[b.lines.length - 1 - suffix]
  ) {
    suffix++;
  }
  const aMiddle = a.lines.slice(prefix, a.lines.length - suffix);
  const bMiddle = b.lines.slice(prefix, b.lines.length - suffix);
  const regions: ChangedRegions = { base: [], head: [], hunks: [] };
  if (aMiddle.length === 0 && bMiddle.length === 0) return regions;
  const offsetOf = (lines: Lines, line: number) => lines.starts[line] ?? lines.next;

  const edits = myers(toIds(aMiddle, bMiddle), maxEdits);
  if (!edits) {
    regions.base.push(lineSpan(a, prefix, a.lines.length - suffix));
    regions.head.push(lineSpan(b, prefix, b.lines.length - suffix));
    const hunks = [
      {
        baseStart: offsetOf(a, prefix),
        baseEnd: offsetOf(a, a.lines.length - suffix),
        headStart: offsetOf(b, prefix),
        headEnd: offsetOf(b, b.lines.length - suffix),
      },
    ];
    return { base: widen(base, regions.base), head: widen(head, regions.head), hunks };
  }
  const hunks: Hunk[] = [];
  let open: { x0: number; x1: number; y0: number; y1: number } | null = null;
  const close = () => {
    if (!open) return;
    hunks.push({
      baseStart: offsetOf(a, open.x0 + prefix),
      baseEnd: offsetOf(a, open.x1 + prefix),
      headStart: offsetOf(b, open.y0 + prefix),
      headEnd: offsetOf(b, open.y1 + prefix),
    });
    open = null;
  };
  for (const edit of edits) {
    if (!open || edit.x !== open.x1 || edit.y !== open.y1) {
      close();
      open = { x0: edit.x, x1: edit.x, y0: edit.y, y1: edit.y };
    }
    if (edit.deleted) open.x1++;
    else open.y1++;
  }
  close();
  for (const edit of edits) {
    const x = edit.x + prefix;
    const y = edit.y + prefix;
    if (edit.deleted) {
      regions.base.push(lineSpan(a, x, x + 1));
      regions.head.push(point(b, y));
    } else {
      regions.head.push(lineSpan(b, y, y + 1));
      regions.base.push(point(a, x));
    }
  }
  return { base: widen(base, regions.base), head: widen(head, regions.head), hunks };
}

/**
 * Stretches each range to the nearest non-blank character on both sides. The lines around
 * a change are equal in base and head, so both sides then reach the same neighbouring
 * statements: a deleted function between F and H shows F and H on both sides, not H on one.
 */
function widen(text: string, ranges: Range[]): Range[] {
  return mergeRanges(
    ranges.map(({ start, end }) => {
      let before = start - 1;
      while (before > 0 && /\s/.test(text[before]!)) before--;
      let after = end;
      while (after < text.length && /\s/.test(text[after]!)) after++;
      return { start: Math.max(0, before), end: Math.min(text.length, after) };
    }),
  );
}

/** Some whole lines of a text, with their offsets in it. */
interface Lines {
  lines: string[];
  starts: number[];
  /** Where the line after the last starts (the text's length when the lines run to its end). */
  next: number;
  /** Where the last line ends. */
  end: number;
}

// How many characters the common prefix and suffix are compared at a time.
const chunk = 256;

/**
 * The lines of each side from the first that differs to the last that differs, as whole
 * lines (found by characters: most of a changed file is its common prefix and suffix, and
 * splitting and hashing those lines is most of a line diff's cost). The diff over these
 * lines is the diff over all lines: a line before them is equal and aligned on both sides
 * (the first differing line is among them, or the shorter text ends in it), and so is each
 * line after them (it follows a line break inside the common suffix).
 */
function middleLines(base: string, head: string): { a: Lines; b: Lines } {
  const shorter = Math.min(base.length, head.length);
  let first = 0;
  // Equal stretches compare natively, a chunk at a time; the last chunk by characters.
  while (
    first + chunk <= shorter &&
    base.slice(first, first + chunk) === head.slice(first, first + chunk)
  ) {
    first += chunk;
  }
  while (first < shorter && base.charCodeAt(first) === head.charCodeAt(first)) first++;
  const from = first === 0 ? 0 : base.lastIndexOf("\n", first - 1) + 1;
  let last = 0;
  while (
    last + chunk <= shorter - from &&
    base.slice(base.length - last - chunk, base.length - last) ===
      head.slice(head.length - last - chunk, head.length - last)
  ) {
    last += chunk;
  }
  while (
    last < shorter - from &&
    base.charCodeAt(base.length - 1 - last) === head.charCodeAt(head.length - 1 - last)
  ) {
    last++;
  }
  const lineBreak = last > 0 ? base.indexOf("\n", base.length - last) : -1;
  const tail = lineBreak < 0 ? 0 : base.length - lineBreak;
  return { a: linesOf(base, from, base.length - tail), b: linesOf(head, from, head.length - tail) };
}

/** The lines of `text` in [from, to): `to` is the text's end or a line break. */
function linesOf(text: string, from: number, to: number): Lines {
  const lines = text.slice(from, to).split("\n");
  const starts: number[] = [];
  let at = from;
  for (const line of lines) {
    starts.push(at);
    at += line.length + 1;
  }
  return { lines, starts, next: to === text.length ? to : to + 1, end: to };
}

function lineSpan(lines: Lines, from: number, to: number): Range {
  const start = lines.starts[from] ?? lines.next;
  const end = to < lines.starts.length ? lines.starts[to]! - 1 : lines.end;
  return { start, end: Math.max(start, end) };
}

function point(lines: Lines, line: number): Range {
  const at = lines.starts[line] ?? lines.next;
  return { start: at, end: at };
}

function toIds(a: string[], b: string[]): { a: Int32Array; b: Int32Array } {
  const ids = new Map<string, number>();
  const idOf = (line: string) => {
    let id = ids.get(line);
    if (id === undefined) {
      id = ids.size;
      ids.set(line, id);
    }
    return id;
  };
  return { a: Int32Array.from(a, idOf), b: Int32Array.from(b, idOf) };
}

interface Edit {
  /** Line index in a (deleted line, or where b's line was inserted). */
  x: number;
  /** Line index in b (inserted line, or where a's line was deleted). */
  y: number;
  deleted: boolean;
}

/** Myers' O((N+M)D) shortest edit script, or null when it needs more than `limit` edits. */
function myers({ a, b }: { a: Int32Array; b: Int32Array }, limit: number): Edit[] | null {
  const n = a.length;
  const m = b.length;
  const max = Math.min(n + m, limit);
  const offset = max + 1;
  const v = new Int32Array(2 * max + 3);
  v[offset + 1] = 0;
  const trace: Int32Array[] = [];
  for (let d = 0; d <= max; d++) {
    for (let k = -d; k <= d; k += 2) {
      let x =
        k === -d || (k !== d && v[offset + k - 1]! < v[offset + k + 1]!)
          ? v[offset + k + 1]!
          : v[offset + k - 1]! + 1;
      let y = x - k;
      while (x < n && y < m && a[x] === b[y]) {
        x++;
        y++;
      }
      v[offset + k] = x;
      if (x >= n && y >= m) {
        trace.push(v.slice(offset - d, offset + d + 1));
        return backtrack(trace, n, m);
      }
    }
    trace.push(v.slice(offset - d, offset + d + 1));
  }
  return null;
}

function backtrack(trace: Int32Array[], n: number, m: number): Edit[] {
  const edits: Edit[] = [];
  let x = n;
  let y = m;
  for (let d = trace.length - 1; d > 0; d--) {
    const previous = trace[d - 1]!;
    const at = (k: number) => previous[k + d - 1]!;
    const k = x - y;
    const down = k === -d || (k !== d && at(k - 1) < at(k + 1));
    const prevK = down ? k + 1 : k - 1;
    const prevX = at(prevK);
    const prevY = prevX - prevK;
    while (x > prevX && y > prevY) {
      x--;
      y--;
    }
    if (down) edits.push({ x: prevX, y: prevY, deleted: false });
    else edits.push({ x: prevX, y: prevY, deleted: true });
    x = prevX;
    y = prevY;
  }
  return edits.reverse();
}

export function mergeRanges(ranges: Range[]): Range[] {
  const sorted = [...ranges].sort((p, q) => p.start - q.start);
  const merged: Range[] = [];
  for (const range of sorted) {
    const last = merged[merged.length - 1];
    if (last && range.start <= last.end + 1) last.end = Math.max(last.end, range.end);
    else merged.push({ ...range });
  }
  return merged;
}
