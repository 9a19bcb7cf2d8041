import { type AnalysedFile, innermostAt, lineOf, type Range } from "./analyse-file.ts";

/** A call-shaped use of a searched name, found lexically (see `callCandidates`). */
export interface CallCandidate extends Range {
  name: string;
  /** Reached through a member (`a.b()`, `new a.B()`, `<a.B />`). */
  member: boolean;
}

/** A call, `new` or JSX element naming a function, for call-site (blast radius) search. */
export interface CallReference {
  /** Callee's last name segment (`b` for `a.b()`). */
  name: string;
  /** Reached through a member (`a.b()`, `new a.B()`, `<a.B />`). */
  member: boolean;
  /** 1-based. */
  line: number;
  /** Index of the innermost enclosing function, or -1 at top level. */
  enclosing: number;
}

/** The searchable names (identifier-shaped) and what a word must look like to be one of them. */
interface NameShape {
  names: Set<string>;
  /** By a name's first unit (always ASCII), bit `min(length, 31)` set for each name's length. */
  lengths: Uint32Array;
}

function nameShape(names: ReadonlySet<string>): NameShape | null {
  const usable = new Set([...names].filter((name) => /^[A-Za-z_$][\w$]*$/.test(name)));
  if (usable.size === 0) return null;
  const lengths = new Uint32Array(128);
  for (const name of usable) lengths[name.charCodeAt(0)]! |= 1 << Math.min(name.length, 31);
  return { names: usable, lengths };
}

/**
 * Where any of the names is used like a call, in source order: the regions a call-site search
 * must analyse. A use is a whole word of `[A-Za-z0-9_$]` units, not a `#private` name. One
 * pass over the text; only words of a searched length and first unit are sliced out.
 */
export function callCandidates(source: string, names: ReadonlySet<string>): CallCandidate[] {
  const shape = nameShape(names);
  if (!shape) return [];
  if (shape.names.size <= fewNames) return findEach(source, shape.names);
  const candidates: CallCandidate[] = [];
  const { lengths } = shape;
  const length = source.length;
  let i = 0;
  while (i < length) {
    const first = source.charCodeAt(i);
    if (!isWordUnit(first)) {
      i++;
      continue;
    }
    const start = i;
    do i++;
    while (i < length && isWordUnit(source.charCodeAt(i)));
    // Only a word of a searched first unit and length is sliced out and looked up.
    if (
      ((lengths[first]! >>> Math.min(i - start, 31)) & 1) === 0 ||
      source.charCodeAt(start - 1) === 35 /* # */
    ) {
      continue;
    }
    const name = source.slice(start, i);
    if (!shape.names.has(name)) continue;
    const shapeOfCall = callShape(source, start, name);
    if (shapeOfCall) candidates.push({ start, end: i, name, member: shapeOfCall.member });
  }
  return candidates;
}

/**
 * The call sites among `candidates` (from `callCandidates`) that one analysis of the file
 * covers: inside its windows, outside comments, not a function's own name. Cheap enough to run
 * on every file that may call a changed function, without a second tree traversal.
 */
export function findCallReferences(
  analysed: AnalysedFile,
  candidates: readonly CallCandidate[],
): CallReference[] {
  const definitions = new Set(analysed.functions.map((fn) => fn.nameIndex));
  const calls: CallReference[] = [];
  let comment = 0;
  const windows = analysed.windows;
  let window = 0;
  for (const { start: at, name, member } of candidates) {
    if (windows) {
      while (window < windows.length && windows[window]!.end <= at) window++;
      if (window >= windows.length || windows[window]!.start > at) continue;
    }
    while (comment < analysed.comments.length && analysed.comments[comment]!.end <= at) comment++;
    if (comment < analysed.comments.length && analysed.comments[comment]!.start <= at) continue;
    if (definitions.has(at)) continue;
    calls.push({
      name,
      member,
      line: lineOf(analysed.lineStarts, at),
      enclosing: innermostAt(analysed.functions, at),
    });
  }
  return calls;
}

// Up to this many names, a native search for each beats reading every word of the file.
const fewNames = 16;

/** `callCandidates` for a few names: each name's whole-word occurrences, found natively. */
function findEach(source: string, names: ReadonlySet<string>): CallCandidate[] {
  const candidates: CallCandidate[] = [];
  for (const name of names) {
    for (let at = source.indexOf(name); at >= 0; at = source.indexOf(name, at + 1)) {
      const before = source.charCodeAt(at - 1);
      if (isWordUnit(before) || before === 35 /* # */) continue;
      if (isWordUnit(source.charCodeAt(at + name.length))) continue;
      const shapeOfCall = callShape(source, at, name);
      if (shapeOfCall) {
        candidates.push({ start: at, end: at + name.length, name, member: shapeOfCall.member });
      }
    }
  }
  return names.size > 1 ? candidates.sort((a, b) => a.start - b.start) : candidates;
}

/** `name(`, `x.name(`, `` name` ``, `new Name`, `<Name`: how a use of a name at `at` reads as a call. */
function callShape(source: string, at: number, name: string): { member: boolean } | null {
  const after = afterName(source, at + name.length);
  let before = at - 1;
  while (before >= 0 && isSpace(source.charCodeAt(before))) before--;
  const previous = source[before];
  // The regexes below read the 12 characters before the name; they run only when the word
  // they look for starts there (most names are neither `new X` nor `function x`).
  const window = Math.max(0, at - 12);
  const called =
    after === "(" ||
    after === "`" ||
    (startsWithin(source, "new", window, at) && /\bnew\s+$/.test(source.slice(window, at))) ||
    (previous === "<" && /^[A-Z]/.test(name));
  if (!called) return null;
  if (
    startsWithin(source, "function", window, at) &&
    /\bfunction\s*\*?\s*$/.test(source.slice(window, at))
  ) {
    return null;
  }
  return { member: previous === "." };
}

/** Whether `word` occurs wholly inside `source[from, to)`. */
function startsWithin(source: string, word: string, from: number, to: number): boolean {
  for (let at = from; at + word.length <= to; at++) {
    if (source.startsWith(word, at)) return true;
  }
  return false;
}

/** The first character after a callee name: skips whitespace, `?.` and type arguments. */
function afterName(source: string, from: number): string | undefined {
  let i = from;
  while (i < source.length && isSpace(source.charCodeAt(i))) i++;
  if (source.startsWith("?.(", i)) return "(";
  if (source[i] === "<") {
    // `fn<T>(...)`: skip balanced type arguments on the same line.
    let depth = 0;
    for (let j = i; j < source.length && source[j] !== "\n"; j++) {
      if (source[j] === "<") depth++;
      else if (source[j] === ">" && --depth === 0) {
        i = j + 1;
        while (i < source.length && isSpace(source.charCodeAt(i))) i++;
        return source[i];
      }
    }
  }
  return source[i];
}

/** What `\s` matches: ECMAScript white space and line terminators. */
function isSpace(c: number): boolean {
  return (
    (c >= 9 && c <= 13) ||
    c === 32 ||
    c === 0xa0 ||
    c === 0x1680 ||
    (c >= 0x2000 && c <= 0x200a) ||
    c === 0x2028 ||
    c === 0x2029 ||
    c === 0x202f ||
    c === 0x205f ||
    c === 0x3000 ||
    c === 0xfeff
  );
}

// The units of `\w` and `$` (what the call-site search counts as part of a name).
const wordUnits = new Uint8Array(128);
for (let c = 0; c < 128; c++) {
  wordUnits[c] = /[\w$]/.test(String.fromCharCode(c)) ? 1 : 0;
}

function isWordUnit(c: number): boolean {
  return c < 128 && wordUnits[c] === 1;
}
