import { isIdentifierPart, isIdentifierStart } from "./identifier-units.ts";
import type { Language } from "./types.ts";

/**
 * What a block is, read from the text before its `{` (a guess, like the member cuts: a caller
 * that relies on it checks): a class body (members are fields and methods); a `switch` body
 * (members are its clauses); an object literal (members are its properties); a function's
 * body (after `(...)` that is no statement's head like `if (...)`, or after `=>`; not bodies
 * after a return type); or any other block of statements.
 */
export type BlockKind = "class" | "switch" | "object" | "function" | "statements";

/** A `{...}` block and where its members start. */
export interface Block {
  /** Offset of the block's `{`. */
  open: number;
  /** Offset of the block's `}`. */
  close: number;
  /**
   * Line starts (between `open` and `close`) where a member must start: after the member
   * before ended (`;`, a `}`, or a value at a line end), with a name (or, in a class body, a
   * `#name`, `@decorator` or quoted key) next, not inside a decorated class member; in an
   * object literal after a `,`; in a `switch` body at `case` and `default`. The same
   * heuristic standing as the splits: a piece cut here is parsed and checked before use.
   */
  members: number[];
  kind: BlockKind;
}

/** The top-level splits, plus blocks: the class bodies at statement level, or every block. */
export interface TopLevelLayout {
  splits: number[];
  /** In the order they open (outer before inner). */
  blocks: Block[];
  /** Whether `blocks` holds every block (`deep`), or only the class bodies of statements. */
  deep: boolean;
}

/**
 * What the lexer carries past a top-level split (nothing is open there): read from it, a pass
 * resumed at the split goes on exactly as one from the file's start.
 */
export interface SplitState {
  last: number;
  regexAllowed: boolean;
  classHeaderDepth: number;
  switchHeaderDepth: number;
  decoratingMember: boolean;
}

/** A deep layout with the lexer's state at each split (`states[i]` at `splits[i]`). */
export interface ResumableLayout extends TopLevelLayout {
  states: SplitState[];
}

export function sameState(a: SplitState, b: SplitState): boolean {
  return (
    a.last === b.last &&
    a.regexAllowed === b.regexAllowed &&
    a.classHeaderDepth === b.classHeaderDepth &&
    a.switchHeaderDepth === b.switchHeaderDepth &&
    a.decoratingMember === b.decoratingMember
  );
}

/**
 * Offsets where a top-level statement starts, found by a single lexical pass (strings,
 * templates, comments, regular expressions, brackets and JSX tracked; nothing parsed).
 * Only line starts qualify: a word at column 0, at bracket depth 0, after a token that
 * ends a statement or a value, and not a word that continues one (`in`, `else`, `as`, ...).
 *
 * Text between two splits can then be parsed on its own. The pass is a heuristic for
 * where to cut, never the judge of a cut: callers parse the pieces they need and check that
 * they parse cleanly and that no node crosses a cut, falling back to the whole file when
 * not. A lexer that loses its way (an unusual regex, JSX-like TypeScript generics) stops
 * yielding splits, which only costs speed.
 *
 * Splits start at 0 (the file start is always a split) and ascend. With `until`, the pass
 * stops at the first split past it (a caller that only needs the splits around earlier
 * offsets). The same pass records the class bodies of top-level statements, or with `deep`
 * every block (a `switch` body by its clauses: the statements in a clause do not parse apart).
 */
export function topLevelLayout(
  source: string,
  language: Language,
  until = Number.POSITIVE_INFINITY,
  deep = false,
): TopLevelLayout {
  return new SplitScanner(source, language, until, 0, source.length, deep).run();
}

/** A pass recording every block over `source[from, to)`, to its end. */
function deepPass(source: string, language: Language, from: number, to: number): SplitScanner {
  return new SplitScanner(source, language, Number.POSITIVE_INFINITY, from, to, true);
}

/** A deep layout with the lexer's state at each split, so a pass can resume at any of them. */
export function resumableLayout(source: string, language: Language): ResumableLayout {
  const scanner = deepPass(source, language, 0, source.length);
  scanner.states = [];
  const layout = scanner.run();
  return { ...layout, states: scanner.states };
}

/**
 * A deep pass from the split at `from` in the state a pass from the start has there, until
 * `stop` accepts a split it records (that split is the last of the result, with the state
 * there) or the text ends.
 */
export function resumeLayout(
  source: string,
  language: Language,
  from: number,
  state: SplitState | null,
  stop: (split: number, state: SplitState) => boolean,
): { splits: number[]; blocks: Block[]; stopped: SplitState | null } {
  const scanner = deepPass(source, language, from, source.length);
  if (state) scanner.resume(state);
  scanner.stop = stop;
  const { splits, blocks } = scanner.run();
  return { splits, blocks, stopped: scanner.stopped };
}

/** Every block in `source[start, end)` (one top-level statement, from its split to the next). */
export function nestedBlocks(
  source: string,
  language: Language,
  start: number,
  end: number,
): Block[] {
  return deepPass(source, language, start, end).run().blocks;
}

// Contexts on the scanner's stack.
const BRACE = 1;
const PAREN = 2;
const BRACKET = 3;
const TEMPLATE = 4;
const TEMPLATE_EXPRESSION = 5;
const JSX_TAG = 6;
const JSX_CHILDREN = 7;
const JSX_EXPRESSION = 8;
/** A class body: its members can be cut apart. */
const CLASS_BODY = 9;

// The last significant token, as far as a split after it is concerned.
const START = 0;
/** `;` or a `}` closing a top-level block: a statement ended. */
const ENDED = 1;
/** An identifier, literal, `)` or `]`: a value ended; a new word on the next line cannot continue it. */
const VALUE = 2;
/** Anything else (operators, keywords that expect an operand): the statement goes on. */
const OPEN = 3;

// Keywords after which `/` starts a regular expression (and an expression is still expected).
const operandKeywords = new Set([
  "return",
  "typeof",
  "instanceof",
  "in",
  "of",
  "new",
  "delete",
  "void",
  "throw",
  "case",
  "do",
  "else",
  "yield",
  "await",
  "extends",
]);

// Words a statement can go on with on the next line, or that leave one open before it.
const continuing = new Set([
  ...operandKeywords,
  "as",
  "satisfies",
  "catch",
  "finally",
  "while",
  "implements",
  "from",
  "export",
  "default",
  "import",
  "async",
  "declare",
  "abstract",
  "let",
  "const",
  "var",
  "static",
  "readonly",
  "keyof",
  "is",
  "get",
  "set",
]);

// Words that continue a class field's initializer on the next line, where a member cannot start.
const notMemberStart = new Set([...operandKeywords, "as", "satisfies", "is", "keyof"]);

// Words that continue a statement on the next line (or a clause of one), where no other starts.
const notStatementStart = new Set([
  "in",
  "instanceof",
  "of",
  "as",
  "satisfies",
  "is",
  "keyof",
  "else",
  "catch",
  "finally",
  "while",
  "extends",
  "implements",
  "from",
  "case",
  "default",
]);

// Keywords after which `{` opens an object literal (an operand), not a block.
const objectKeywords = new Set(["return", "yield", "await", "throw", "in", "of", "typeof", "void"]);

// Statements whose block follows a parenthesized head.
const statementHeads = new Set(["if", "for", "while", "switch", "catch", "with"]);

/** Where the blanks (and line ends) before `at` start. */
function skipBlanksBack(source: string, at: number): number {
  let i = at;
  while (i > 0) {
    const c = source.charCodeAt(i - 1);
    if (!isBlank(c) && c !== 10 && c !== 13) break;
    i--;
  }
  return i;
}

/** Where the word starting at `at` ends (`at` itself when none starts there). */
function wordEnd(source: string, at: number): number {
  let end = at;
  while (end < source.length && isIdentifierPart(source.charCodeAt(end))) end++;
  return end;
}

/** The word ending right before `at` (blanks skipped), as [start, end); empty when none. */
function wordBefore(source: string, at: number): [number, number] {
  const end = skipBlanksBack(source, at);
  let start = end;
  while (start > 0 && isIdentifierPart(source.charCodeAt(start - 1))) start--;
  return [start, end];
}

// How a word reads, without slicing it out: most words are not keywords.
const NOT_KEYWORD = 0;
const OPERAND_KEYWORD = 1;
const CONTINUING_KEYWORD = 2;
const keywordsByFirstUnit: { word: string; kind: number }[][] = [];
for (const word of continuing) {
  const kind = operandKeywords.has(word) ? OPERAND_KEYWORD : CONTINUING_KEYWORD;
  const first = word.charCodeAt(0);
  keywordsByFirstUnit[first] = [...(keywordsByFirstUnit[first] ?? []), { word, kind }];
}

function keywordKind(source: string, start: number, end: number): number {
  const candidates = keywordsByFirstUnit[source.charCodeAt(start)];
  if (candidates === undefined) return NOT_KEYWORD;
  for (const { word, kind } of candidates) {
    if (word.length === end - start && source.startsWith(word, start)) return kind;
  }
  return NOT_KEYWORD;
}

class SplitScanner {
  private readonly splits: number[] = [0];
  /** Blocks opened so far (top-level class bodies, or every block when `deep`), in order. */
  private readonly blocks: Block[] = [];
  /** Blocks still open, with the stack depth their `{` is at. */
  private readonly openBlocks: { block: Block; depth: number }[] = [];
  private readonly stack: number[] = [];
  private i: number;
  private last = START;
  private regexAllowed = true;
  /** Between a top-level `@decorator` and the class it decorates: no split in between. */
  private decorating = false;
  /** Stack depth at which `class` (or `switch`) was said: the next `{` there opens its body. */
  private classHeaderDepth = -1;
  private switchHeaderDepth = -1;
  /** Between a class member's `@decorator` and the member's body, initializer or `;`. */
  private decoratingMember = false;
  /** Where the open parentheses start (with `deep`), and where the last one closed started. */
  private readonly parenOpens: number[] = [];
  private lastParenOpen = -1;
  /** With `resumableLayout`: the state at each split. */
  states: SplitState[] | null = null;
  /** With `resumeLayout`: whether to end the pass at a split, and the state it ended in. */
  stop: ((split: number, state: SplitState) => boolean) | null = null;
  stopped: SplitState | null = null;

  /** JSX is read in JavaScript and TSX, not in TypeScript (where `<T>` is a type). */
  private readonly jsx: boolean;

  constructor(
    private readonly source: string,
    language: Language,
    /** Stop at the first split past this offset. */
    private readonly until: number,
    from: number,
    /** Stop here (the end of a statement being read on its own). */
    private readonly to: number,
    /** Record every block, not only top-level class bodies. */
    private readonly deep: boolean,
  ) {
    this.jsx = language !== "typescript";
    this.i = from;
  }

  /** Starts at a split (`i`) in the state a pass from the start has there. */
  resume(state: SplitState): void {
    this.splits[0] = this.i;
    this.last = state.last;
    this.regexAllowed = state.regexAllowed;
    this.classHeaderDepth = state.classHeaderDepth;
    this.switchHeaderDepth = state.switchHeaderDepth;
    this.decoratingMember = state.decoratingMember;
  }

  run(): TopLevelLayout {
    const { source, splits } = this;
    if (this.i === 0 && source.startsWith("#!")) this.skipLine();
    this.states?.push(this.state());
    while (this.i < this.to && splits[splits.length - 1]! <= this.until && !this.stopped) {
      const top = this.stack.length === 0 ? 0 : this.stack[this.stack.length - 1]!;
      const ok =
        top === TEMPLATE
          ? this.template()
          : top === JSX_TAG
            ? this.jsxTag()
            : top === JSX_CHILDREN
              ? this.jsxChildren()
              : this.code();
      if (!ok) break;
    }
    // Blocks still open where the pass stopped have no end: not blocks to cut.
    const blocks =
      this.openBlocks.length > 0 ? this.blocks.filter((b) => b.close >= 0) : this.blocks;
    return { splits: this.splits, blocks, deep: this.deep };
  }

  /** The recorded block whose `{` is the innermost context, if any. */
  private current(): Block | null {
    const open = this.openBlocks;
    // Called on every line, `=` and `;`: outside recorded blocks, decide without a lookup.
    if (open.length === 0) return null;
    const top = open[open.length - 1]!;
    return top.depth === this.stack.length ? top.block : null;
  }

  /** Whether the innermost context is a class body (where members can be decorated). */
  private inClassBody(): boolean {
    return this.stack[this.stack.length - 1] === CLASS_BODY;
  }

  /** One token of code. False when the text stops making lexical sense (stop splitting). */
  private code(): boolean {
    const { source } = this;
    const c = source.charCodeAt(this.i);
    if (c === 10) {
      this.i++;
      if (this.stack.length === 0) this.maybeSplit();
      else {
        const block = this.current();
        if (block !== null) this.maybeMemberSplit(block);
      }
      return true;
    }
    if (isBlank(c)) {
      // A run of blanks changes nothing: take it at once.
      do this.i++;
      while (isBlank(source.charCodeAt(this.i)));
      return true;
    }
    if (isIdentifierStart(c)) {
      const start = this.i;
      this.i++;
      while (this.i < source.length && isIdentifierPart(source.charCodeAt(this.i))) this.i++;
      const kind = keywordKind(source, start, this.i);
      this.regexAllowed = kind === OPERAND_KEYWORD;
      this.last = kind === NOT_KEYWORD ? VALUE : OPEN;
      if (this.i - start === 5 && (this.deep || this.stack.length === 0)) {
        if (source.startsWith("class", start)) {
          if (this.stack.length === 0) this.decorating = false;
          this.classHeaderDepth = this.stack.length;
        }
      } else if (this.deep && this.i - start === 6 && source.startsWith("switch", start)) {
        this.switchHeaderDepth = this.stack.length;
      }
      return true;
    }
    if (c >= 48 && c <= 57) {
      this.i++;
      while (this.i < source.length && isNumberPart(source.charCodeAt(this.i))) this.i++;
      this.value();
      return true;
    }
    switch (c) {
      case 47 /* / */:
        {
          const next = source.charCodeAt(this.i + 1);
          if (next === 47) {
            this.skipLine();
            return true;
          }
          if (next === 42) {
            const close = source.indexOf("*/", this.i + 2);
            if (close < 0) return false;
            this.i = close + 2;
            return true;
          }
          if (this.regexAllowed) return this.regex();
          this.i++;
          this.operator();
          return true;
        }
      case 34 /* " */:
      case 39 /* ' */:
        return this.string(c);
      case 96 /* ` */:
        this.i++;
        this.stack.push(TEMPLATE);
        return true;
      case 123 /* { */:
        {
          const depth = this.stack.length;
          const isClass = this.classHeaderDepth === depth;
          const isSwitch = this.switchHeaderDepth === depth;
          if (isClass) this.classHeaderDepth = -1;
          if (isSwitch) this.switchHeaderDepth = -1;
          if (this.inClassBody()) this.decoratingMember = false;
          if (isClass || this.deep) {
            const kind: BlockKind = isClass
              ? "class"
              : isSwitch
                ? "switch"
                : this.opensFunctionBody()
                  ? "function"
                  : this.opensObject()
                    ? "object"
                    : "statements";
            const block: Block = { open: this.i, close: -1, members: [], kind };
            this.openBlocks.push({ block, depth: depth + 1 });
            this.blocks.push(block);
          }
          this.stack.push(isClass ? CLASS_BODY : BRACE);
          this.i++;
          this.operator();
          return true;
        }
      case 40 /* ( */:
        if (this.deep) this.parenOpens.push(this.i);
        this.i++;
        this.stack.push(PAREN);
        this.operator();
        return true;
      case 91 /* [ */:
        this.i++;
        this.stack.push(BRACKET);
        this.operator();
        return true;
      case 125 /* } */:
        {
          this.i++;
          const top = this.stack.pop();
          if (top === BRACE || top === CLASS_BODY) {
            const opened = this.openBlocks[this.openBlocks.length - 1];
            if (opened !== undefined && opened.depth === this.stack.length + 1) {
              this.openBlocks.pop();
              opened.block.close = this.i - 1;
            }
            // A block, body or object closed: at top level the statement ended, and in a block
            // the member did (a line after it starting with a name starts another).
            this.regexAllowed = true;
            this.last = ENDED;
            return true;
          }
          if (top === TEMPLATE_EXPRESSION || top === JSX_EXPRESSION) return true;
          return false;
        }
      case 41 /* ) */:
        this.i++;
        if (this.stack.pop() !== PAREN) return false;
        if (this.deep) {
          this.lastParenOpen = this.parenOpens.pop() ?? -1;
          // `if (x)` and loops go on with their body, which may start on the next line.
          const head = this.statementHead(this.lastParenOpen);
          if (head !== null && head !== "switch" && head !== "catch") {
            this.operator();
            return true;
          }
        }
        this.value();
        return true;
      case 93 /* ] */:
        this.i++;
        if (this.stack.pop() !== BRACKET) return false;
        this.value();
        return true;
      case 59 /* ; */:
        this.i++;
        this.regexAllowed = true;
        this.last = ENDED;
        if (this.stack.length === this.classHeaderDepth) this.classHeaderDepth = -1;
        if (this.stack.length === this.switchHeaderDepth) this.switchHeaderDepth = -1;
        if (this.inClassBody()) this.decoratingMember = false;
        return true;
      case 60 /* < */:
        {
          const next = source.charCodeAt(this.i + 1);
          if (this.jsx && this.regexAllowed && (isIdentifierStart(next) || next === 62)) {
            this.i++;
            this.stack.push(JSX_TAG);
            return true;
          }
          this.i++;
          this.operator();
          return true;
        }
      case 64 /* @ */:
        this.i++;
        if (this.stack.length === 0) this.decorating = true;
        else if (this.inClassBody()) this.decoratingMember = true;
        this.operator();
        return true;
      case 61 /* = */:
        // A decorated field's initializer: the decorator is behind.
        if (this.inClassBody()) this.decoratingMember = false;
        this.i++;
        this.operator();
        return true;
      default:
        this.i++;
        this.operator();
        return true;
    }
  }

  /** At a line start with nothing open: record it when a new statement must start here. */
  private maybeSplit(): void {
    if (this.decorating || this.last === OPEN || this.last === START) return;
    const { source } = this;
    const c = source.charCodeAt(this.i);
    if (c === 47) {
      // A comment after a finished statement is a statement of its own (a source map's
      // data URL at the end of a built file can outweigh all the code).
      const next = source.charCodeAt(this.i + 1);
      if (this.last === ENDED && (next === 47 || next === 42)) this.split();
      return;
    }
    if (!isIdentifierStart(c) && c !== 64) return;
    if (c !== 64) {
      const end = wordEnd(source, this.i);
      if (
        keywordKind(source, this.i, end) !== NOT_KEYWORD &&
        !isDeclarationStart(source, this.i, end)
      ) {
        return;
      }
    }
    this.classHeaderDepth = -1;
    this.split();
  }

  private split(): void {
    this.splits.push(this.i);
    if (this.states === null && this.stop === null) return;
    const state = this.state();
    this.states?.push(state);
    if (this.stop?.(this.i, state)) this.stopped = state;
  }

  private state(): SplitState {
    return {
      last: this.last,
      regexAllowed: this.regexAllowed,
      classHeaderDepth: this.classHeaderDepth,
      switchHeaderDepth: this.switchHeaderDepth,
      decoratingMember: this.decoratingMember,
    };
  }

  /**
   * Whether the `{` at the scanner opens a function's body: after `=>`, or after `(...)` that
   * is no statement's head (`if`, `for`, `for await`, `while`, `switch`, `catch`, `with`).
   */
  private opensFunctionBody(): boolean {
    const { source } = this;
    const before = skipBlanksBack(source, this.i);
    const c = source.charCodeAt(before - 1);
    if (c === 62 /* > */) return source.charCodeAt(before - 2) === 61 /* = */;
    return c === 41 /* ) */ && this.statementHead(this.lastParenOpen) === null;
  }

  /**
   * Whether the `{` at the scanner opens an object literal: where an operand is expected
   * (after `=`, `(`, `,`, `:`, `return`, ...), but not a statement's block (`else {`, `do {`,
   * `case 1: {`).
   */
  private opensObject(): boolean {
    if (!this.regexAllowed || this.last !== OPEN) return false;
    const { source } = this;
    const before = skipBlanksBack(source, this.i);
    const c = source.charCodeAt(before - 1);
    if (isIdentifierPart(c)) return objectKeywords.has(source.slice(...wordBefore(source, this.i)));
    if (c === 58 /* : */) return this.current()?.kind !== "switch";
    // `)` of a statement's head (`if (x) {`), `>` of a return type (`): Map<K, V> {`).
    return c !== 41 && c !== 62;
  }

  /** The statement the `(` at `open` heads (`if`, `for`, `for await`, `while`, ...), if any. */
  private statementHead(open: number): string | null {
    const { source } = this;
    const [start, end] = wordBefore(source, open);
    if (end - start < 2 || end - start > 6) return null;
    const word = source.slice(start, end);
    if (word === "await")
      return source.slice(...wordBefore(source, start)) === "for" ? "for" : null;
    return statementHeads.has(word) ? word : null;
  }

  /**
   * At a line start directly in a recorded block: record it when the member before has ended
   * and one starts here (see `Block.members`).
   */
  private maybeMemberSplit(block: Block): void {
    const { source } = this;
    let at = this.i;
    while (isBlank(source.charCodeAt(at))) at++;
    const c = source.charCodeAt(at);
    if (block.kind === "switch") {
      // Only a clause starts there, whatever came before (`case 1:` may go on as `case 2:`).
      const word = source.slice(at, wordEnd(source, at));
      if (word === "case" || word === "default") block.members.push(this.i);
      return;
    }
    if (block.kind === "object") {
      // A property (`name`, `'key'`, `[key]`, `...spread`, `*gen`) after the `,` ending the last.
      if (
        source.charCodeAt(skipBlanksBack(source, this.i) - 1) === 44 /* , */ &&
        (isIdentifierStart(c) || c === 34 || c === 39 || c === 91 || c === 46 || c === 42)
      ) {
        block.members.push(this.i);
      }
      return;
    }
    const isClass = block.kind === "class";
    if (this.last === OPEN || this.last === START || (isClass && this.decoratingMember)) {
      return;
    }
    if (isIdentifierStart(c)) {
      const word = source.slice(at, wordEnd(source, at));
      if ((isClass ? notMemberStart : notStatementStart).has(word)) return;
    } else if (!isClass || (c !== 35 && c !== 64 && c !== 34 && c !== 39)) {
      // Not `[key]` or `*gen()`: a line starting with `[` or `*` may continue an initializer.
      return;
    }
    block.members.push(this.i);
  }

  private template(): boolean {
    const { source } = this;
    while (this.i < source.length) {
      const c = source.charCodeAt(this.i);
      if (c === 92) this.i += 2;
      else if (c === 96) {
        this.i++;
        this.stack.pop();
        this.value();
        return true;
      } else if (c === 36 && source.charCodeAt(this.i + 1) === 123) {
        this.i += 2;
        this.stack.push(TEMPLATE_EXPRESSION);
        this.operator();
        return true;
      } else this.i++;
    }
    return false;
  }

  /** Inside `<name ...`: attributes until `>` (children follow) or `/>` (element done). */
  private jsxTag(): boolean {
    const { source } = this;
    while (this.i < source.length) {
      const c = source.charCodeAt(this.i);
      if (c === 123) return this.jsxExpression();
      if (c === 34 || c === 39) {
        const close = source.indexOf(c === 34 ? '"' : "'", this.i + 1);
        if (close < 0) return false;
        this.i = close + 1;
        continue;
      }
      if (c === 47 && source.charCodeAt(this.i + 1) === 62) {
        this.i += 2;
        this.stack.pop();
        this.endElement();
        return true;
      }
      if (c === 62) {
        this.i++;
        this.stack[this.stack.length - 1] = JSX_CHILDREN;
        return true;
      }
      this.i++;
    }
    return false;
  }

  /** Element children: text, `{expressions}`, nested elements, then the closing tag. */
  private jsxChildren(): boolean {
    const { source } = this;
    while (this.i < source.length) {
      const c = source.charCodeAt(this.i);
      if (c === 123) return this.jsxExpression();
      if (c === 60) {
        if (source.charCodeAt(this.i + 1) === 47) {
          const close = source.indexOf(">", this.i + 2);
          if (close < 0) return false;
          this.i = close + 1;
          this.stack.pop();
          this.endElement();
          return true;
        }
        this.i++;
        this.stack.push(JSX_TAG);
        return true;
      }
      this.i++;
    }
    return false;
  }

  /** `{` in a tag or among children: code until its `}`. */
  private jsxExpression(): boolean {
    this.i++;
    this.stack.push(JSX_EXPRESSION);
    this.operator();
    return true;
  }

  /** An element ended: inside a parent's children that is text again, in code a value. */
  private endElement(): void {
    if (this.stack[this.stack.length - 1] !== JSX_CHILDREN) this.value();
  }

  private string(quote: number): boolean {
    const { source } = this;
    this.i++;
    while (this.i < source.length) {
      const c = source.charCodeAt(this.i);
      if (c === 92) this.i += 2;
      else if (c === quote) {
        this.i++;
        this.value();
        return true;
      } else if (c === 10) return false;
      else this.i++;
    }
    return false;
  }

  private regex(): boolean {
    const { source } = this;
    this.i++;
    let inClass = false;
    while (this.i < source.length) {
      const c = source.charCodeAt(this.i);
      if (c === 92) this.i += 2;
      else if (c === 10) return false;
      else if (inClass) {
        if (c === 93) inClass = false;
        this.i++;
      } else if (c === 91) {
        inClass = true;
        this.i++;
      } else if (c === 47) {
        this.i++;
        while (this.i < source.length && isIdentifierPart(source.charCodeAt(this.i))) this.i++;
        this.value();
        return true;
      } else this.i++;
    }
    return false;
  }

  private skipLine(): void {
    const newline = this.source.indexOf("\n", this.i);
    this.i = newline < 0 ? this.source.length : newline;
  }

  private value(): void {
    this.regexAllowed = false;
    this.last = VALUE;
  }

  private operator(): void {
    this.regexAllowed = true;
    this.last = OPEN;
  }
}

// `export function`, `const x`, `async function`, `abstract class`, `declare ...`, `import x`:
// words that continue nothing when they open a line and a declaration follows.
function isDeclarationStart(source: string, start: number, end: number): boolean {
  const word = source.slice(start, end);
  if (word === "export" || word === "import" || word === "declare") return true;
  if (word === "const" || word === "let" || word === "var") {
    return /^\s+[A-Za-z_$[{]/.test(source.slice(end, end + 4));
  }
  if (word === "async") return /^\s+function\b/.test(source.slice(end, end + 12));
  if (word === "abstract") return /^\s+class\b/.test(source.slice(end, end + 9));
  return false;
}

/** Whitespace other than a newline (a newline can end a statement). */
function isBlank(c: number): boolean {
  return c === 32 || c === 9 || c === 13 || c === 0xa0 || c === 0xfeff || c === 0x2028;
}

function isNumberPart(c: number): boolean {
  return isIdentifierPart(c) || c === 46;
}
