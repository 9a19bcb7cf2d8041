import type Parser from "tree-sitter";
import { isIdentifierPart, isIdentifierStart } from "./identifier-units.ts";
import { includedRangesOf, parseText } from "./parse-text.ts";
import { captureOf, toolsFor } from "./parser-pool.ts";
import type { ExtractedFunction, FunctionKind, Language } from "./types.ts";

type SyntaxNode = Parser.SyntaxNode;

/** An extracted function plus what the engine needs internally (tokens, nesting, ranges). */
export interface AnalysedFunction extends ExtractedFunction {
  kind: FunctionKind;
  /** Last name segment, matched against call sites; "" when anonymous. */
  simpleName: string;
  /** Called as `x.name()` (methods, member assignments) rather than `name()`. */
  member: boolean;
  /**
   * The function's own tokens: nested functions, comments and whitespace excluded. Built on
   * first call (only changed functions need them; the hash is computed without them).
   */
  tokens: () => string[];
  /** Index of the innermost enclosing function in `AnalysedFile.functions`, or -1. */
  parent: number;
  startIndex: number;
  endIndex: number;
  /** Where the function's own name token starts (a call-site search must not count it), or -1. */
  nameIndex: number;
}

export interface AnalysedFile {
  /** In source order (by start, outer before inner). */
  functions: AnalysedFunction[];
  /** Comment ranges, in order (call-site search skips them). */
  comments: Range[];
  /** Offsets where each line starts (index 0 = line 1). */
  lineStarts: number[];
  /** The windows analysed (`regions` expanded to statements), or null for the whole file. */
  windows: Range[] | null;
  /** Lengths of the top-level statements outside the windows ("" for the whole file). */
  outside: string;
  syntaxErrors: boolean;
}

export interface Range {
  start: number;
  end: number;
}

export const ANONYMOUS = "<anonymous>";

const functionCaptures = new Set([
  "function_declaration",
  "generator_function_declaration",
  "function_expression",
  "generator_function",
  "arrow_function",
  "method_definition",
]);

// Expressions that wrap a value without changing what it is assigned to.
const transparentWrappers = new Set([
  "parenthesized_expression",
  "as_expression",
  "satisfies_expression",
  "non_null_expression",
  "type_assertion",
]);

const tokenPattern = /[A-Za-z_$\u00c0-\uffff][\w$\u00c0-\uffff]*|\d[\w.]*|\S/g;
const wordToken = /^[\w$\u00c0-\uffff]/;
const identifierAt = /[#A-Za-z_$\u00c0-\uffff][\w$\u00c0-\uffff]*/y;

/**
 * node-tree-sitter keeps each node's start (UTF-16 byte offset) and start row in the node
 * object it hands out; reading them avoids a native call per node, and per file that is most
 * of the engine's cost beyond the parse. Checked once against the public getters: a binding
 * that stores them differently falls back to the getters.
 */
let fastStart: ((node: SyntaxNode) => number) | null = null;
function startOf(node: SyntaxNode): number {
  if (fastStart === null) {
    const probe = toolsFor("javascript").parser.parse("const é = 'ü';\nlet x = 1;");
    const sample = probe.rootNode.namedChildren[1]!;
    const fields = sample as unknown as Record<number, number>;
    fastStart =
      fields[2] !== undefined && fields[2] / 2 === sample.startIndex && fields[3] === 1
        ? (n) => (n as unknown as Record<number, number>)[2]! / 2
        : (n) => n.startIndex;
  }
  return fastStart(node);
}

/** A window of whole top-level statements, also as tree points (what `descendantsOfType` takes). */
interface StatementWindow extends Range {
  from: Parser.Point;
  to: Parser.Point;
}

interface Item {
  capture: string;
  node: SyntaxNode;
  start: number;
  end: number;
  /** For functions: index into `functions`. */
  fn: number;
}

export interface AnalyseOptions {
  /** A tree already parsed from `source` (reused for call-site search). */
  tree?: Parser.Tree;
  /**
   * Only these character ranges matter (the changed regions of a diff, call sites): the
   * node walk covers the top-level statements holding them, not the whole file. Functions
   * elsewhere are left out; names stay exact because every container of a function lies
   * inside its top-level statement.
   */
  regions?: Range[];
  /**
   * Compute each function's own tokens, body hash, signature and exported flag (default
   * true). The call-site search needs only names and ranges: it turns this off and skips most
   * of the per-function work (`exported` is then true only inside `export` statements).
   */
  bodies?: boolean;
}

/**
 * Whether a function named `name` could also exist outside the analysed windows (then
 * pairing by name inside the windows alone could pick a different partner than pairing
 * the whole file). Top-level anonymous callbacks (`describe(() => ...)`) always could.
 */
export function mayOccurOutside(source: string, analysed: AnalysedFile, name: string): boolean {
  const windows = analysed.windows;
  if (!windows) return false;
  // Another function with this name is defined by text holding its most specific segment
  // in a defining position: `function x`, `x =`, `x:`, `x(...) {`, `class x`, `namespace x`.
  const anchor = name
    .split(".")
    .reverse()
    .find((segment) => segment !== ANONYMOUS && segment !== "default");
  let pattern = /=>|\bfunction\b/;
  if (anchor) {
    const word = anchor.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
    pattern = new RegExp(
      [
        `\\b(?:function\\s*\\*?|class|namespace|module|get|set)\\s*${word}(?![\\w$])`,
        `(?<![\\w$])${word}["']?\\s*(?:[:=](?![=>])|\\?\\s*:)`,
        `(?<![\\w$])${word}\\s*(?:<[^\\n]*>)?\\s*\\([^\\n]*\\)\\s*(?::[^\\n{]*)?\\{`,
        `^[ \\t]*(?:(?:static|async|public|private|protected|readonly|override|get|set|\\*)\\s*)*${word}\\s*[<(]`,
      ].join("|"),
      "m",
    );
  }
  // Every match of an anchored pattern holds the anchor: a stretch without it needs no regex.
  const literal = anchor ?? null;
  let cursor = 0;
  for (const window of [...windows, { start: source.length, end: source.length }]) {
    const at = literal === null ? cursor : source.indexOf(literal, cursor);
    if (at >= 0 && at < window.start && pattern.test(source.slice(cursor, window.start))) {
      return true;
    }
    cursor = window.end;
  }
  return false;
}

/** Parses a file with the (reused) parser of its language (see `parseText`). */
export function parseSource(source: string, language: Language): Parser.Tree {
  return parseText(source, language);
}

/**
 * Parses one file and extracts every function-like node with a body, its qualified name,
 * own-token hash and signature. One parse and one native walk collecting the node types it
 * reads (over the statements that hold `regions`, when given); names come from the captured
 * containers (classes, objects, namespaces, exports) in a single sweep, so no node is
 * visited twice from JavaScript.
 */
export function analyseFile(
  source: string,
  language: Language,
  options: AnalyseOptions = {},
): AnalysedFile {
  const tools = toolsFor(language);
  const tree = options.tree ?? parseSource(source, language);
  const root = tree.rootNode;
  const statements = root.namedChildren;
  const split = options.regions ? statementWindows(statements, options.regions) : null;
  const windows = split ? clipToParsed(split.windows, tree) : null;
  const bodies = options.bodies !== false;

  const items: Item[] = [];
  const comments: Range[] = [];
  // One native walk over the windows' whole stretch (each call costs ~50 µs of set-up, more
  // than walking the statements between windows); a node counts for the window its start lies
  // in, so none is taken twice.
  const nodes = windows
    ? windows.length > 0
      ? root.descendantsOfType(tools.nodeTypes, windows[0]!.from, windows[windows.length - 1]!.to)
      : []
    : root.descendantsOfType(tools.nodeTypes);
  let w = 0;
  for (const node of nodes) {
    const name = captureOf(node);
    if (name === undefined) continue;
    const start = startOf(node);
    if (windows) {
      while (w < windows.length && windows[w]!.end <= start) w++;
      if (w >= windows.length || start < windows[w]!.start) continue;
    }
    if (name === "comment") {
      comments.push({ start, end: commentEnd(source, start, node) });
    } else {
      items.push({ capture: name, node, start, end: node.endIndex, fn: -1 });
    }
  }
  items.sort((a, b) => a.start - b.start || b.end - a.end);
  comments.sort((a, b) => a.start - b.start);
  const lineStarts = lineStartsOf(source);
  // Read from the top-level statements the first time a function needs them (most functions
  // are nested, or inside an `export` statement, and never ask).
  let exportedBindings: Set<string> | null = bodies ? null : new Set<string>();
  const exportedName = (name: string) => {
    exportedBindings ??= collectExportedBindings(statements, source);
    return isExportedName(name, exportedBindings);
  };

  const functions: AnalysedFunction[] = [];
  const children: number[][] = [];
  const containerNames = new Map<Item, string | null>();
  const stack: Item[] = [];
  for (const item of items) {
    while (stack.length > 0 && stack[stack.length - 1]!.end <= item.start) stack.pop();
    if (!functionCaptures.has(item.capture)) {
      stack.push(item);
      continue;
    }
    // Containers between this function and its enclosing function name it.
    const segments: string[] = [];
    let inExport = false;
    let parent = -1;
    for (let i = stack.length - 1; i >= 0; i--) {
      const outer = stack[i]!;
      if (outer.fn >= 0) {
        parent = outer.fn;
        break;
      }
      if (outer.capture === "export") {
        inExport = true;
        continue;
      }
      let name = containerNames.get(outer);
      if (name === undefined) {
        name = containerName(outer, source);
        containerNames.set(outer, name);
      }
      if (name) segments.unshift(name);
    }

    const node = item.node;
    const own = ownName(item, source);
    const prefix = parent >= 0 ? `${functions[parent]!.name}.` : "";
    const name = prefix + [...segments, own.name].join(".");
    const index = functions.length;
    item.fn = index;
    children.push([]);
    if (parent >= 0) children[parent]!.push(index);

    const startLine = lineOf(lineStarts, item.start);
    functions.push({
      name,
      kind: own.kind,
      startLine,
      endLine: lineOf(lineStarts, item.end - 1),
      signature: bodies ? signatureOf(node, source, comments, tools.typed) : "",
      bodyHash: "",
      exported: parent < 0 && !own.private && (inExport || exportedName(name)),
      simpleName: own.name === ANONYMOUS ? "" : lastSegment(own.name),
      member: own.member,
      tokens: noTokens,
      parent,
      startIndex: item.start,
      endIndex: item.end,
      nameIndex: own.nameRange ? own.nameRange.start : -1,
    });
    stack.push(item);
  }

  // Own tokens: the function's text minus nested functions, its own name and comments.
  if (bodies)
    functions.forEach((fn, index) => {
      const holes: Range[] = children[index]!.map((child) => ({
        start: functions[child]!.startIndex,
        end: functions[child]!.endIndex,
      }));
      if (fn.nameIndex >= 0 && fn.nameIndex >= fn.startIndex) {
        holes.push({ start: fn.nameIndex, end: nameEnd(source, fn.nameIndex) });
      }
      addComments(holes, comments, fn.startIndex, fn.endIndex);
      fn.bodyHash = hashOwnTokens(source, fn.startIndex, fn.endIndex, holes);
      let tokens: string[] | null = null;
      fn.tokens = () => {
        tokens ??= tokenize(source, fn.startIndex, fn.endIndex, holes);
        return tokens;
      };
    });

  return {
    functions,
    comments,
    lineStarts,
    windows,
    outside: split ? split.outside : "",
    syntaxErrors: root.hasError,
  };
}

/**
 * The top-level statements holding any of the ranges, merged into windows, and the lengths
 * of the statements outside them (equal text outside the windows must parse the same way
 * on both sides for the windows to be enough: a new `/*` or a syntax error breaks that).
 */
function statementWindows(
  statements: SyntaxNode[],
  regions: Range[],
): { windows: StatementWindow[]; outside: string } {
  const windows: (Range & { first: SyntaxNode; last: SyntaxNode })[] = [];
  const outside: number[] = [];
  const sorted = [...regions].sort((a, b) => a.start - b.start);
  let r = 0;
  for (const statement of statements) {
    const start = startOf(statement);
    const end = statement.endIndex;
    while (r < sorted.length && sorted[r]!.end < start) r++;
    if (r >= sorted.length || sorted[r]!.start > end) {
      outside.push(end - start);
      continue;
    }
    const last = windows[windows.length - 1];
    if (last && last.end >= start) {
      last.end = Math.max(last.end, end);
      last.last = statement;
    } else windows.push({ start, end, first: statement, last: statement });
  }
  return {
    windows: windows.map(({ start, end, first, last }) => ({
      start,
      end,
      from: first.startPosition,
      to: last.endPosition,
    })),
    outside: outside.join(","),
  };
}

/**
 * The windows cut to what the tree holds: a block parsed as some of its members (see
 * `parseSpans`) spans text the tree has no nodes for, and that text is outside the analysis
 * (a name defined there may pair with a changed one; a call there is not seen).
 */
function clipToParsed(windows: StatementWindow[], tree: Parser.Tree): StatementWindow[] {
  if (windows.length === 0) return windows;
  const parsed = includedRangesOf(tree);
  if (parsed === null || parsed.length <= 1) return windows;
  const clipped: StatementWindow[] = [];
  let first = 0;
  for (const window of windows) {
    while (first < parsed.length && parsed[first]!.endIndex <= window.start) first++;
    for (let i = first; i < parsed.length && parsed[i]!.startIndex < window.end; i++) {
      const range = parsed[i]!;
      const start = Math.max(window.start, range.startIndex);
      const end = Math.min(window.end, range.endIndex);
      if (end <= start) continue;
      clipped.push({
        start,
        end,
        from: start === window.start ? window.from : range.startPosition,
        to: end === window.end ? window.to : range.endPosition,
      });
    }
  }
  return clipped;
}

function commentEnd(source: string, start: number, node: SyntaxNode): number {
  if (source.startsWith("//", start)) {
    const newline = source.indexOf("\n", start);
    return newline < 0 ? source.length : newline;
  }
  if (source.startsWith("/*", start)) {
    const close = source.indexOf("*/", start + 2);
    return close < 0 ? source.length : close + 2;
  }
  return node.endIndex;
}

// The line starts of the texts asked for last: one changed file's base and head are asked for
// in turn (each side's spans, its analysis, the head's re-parse from the base).
const recentLines: { source: string; starts: number[] }[] = [];

/** Offsets where each line starts (index 0 = line 1). Shared: do not modify. */
export function lineStartsOf(source: string): number[] {
  for (const recent of recentLines) if (recent.source === source) return recent.starts;
  const starts = [0];
  for (let at = source.indexOf("\n"); at >= 0; at = source.indexOf("\n", at + 1)) {
    starts.push(at + 1);
  }
  if (recentLines.unshift({ source, starts }) > 2) recentLines.pop();
  return starts;
}

/** Row (0-based) and column of `index`, given the file's `lineStartsOf`. */
export function pointAt(lineStarts: readonly number[], index: number): Parser.Point {
  const row = lineOf(lineStarts, index) - 1;
  return { row, column: index - (lineStarts[row] ?? 0) };
}

/** 1-based line holding `index`. */
export function lineOf(lineStarts: readonly number[], index: number): number {
  let low = 0;
  let high = lineStarts.length;
  while (low < high) {
    const mid = (low + high) >> 1;
    if (lineStarts[mid]! <= index) low = mid + 1;
    else high = mid;
  }
  return low;
}

interface OwnName {
  name: string;
  kind: FunctionKind;
  /** The name token inside the function node, excluded from the body hash. */
  nameRange: Range | null;
  member: boolean;
  private: boolean;
}

function ownName(item: Item, source: string): OwnName {
  const node = item.node;
  switch (item.capture) {
    case "method_definition": {
      const nameNode = node.childForFieldName("name");
      const nameStart = nameNode ? startOf(nameNode) : item.end;
      const name = nameNode ? propertyName(nameNode, source) : ANONYMOUS;
      // Modifiers sit between the method's start and its name: `static async *`, `get`, `private`.
      const prefix = source.slice(item.start, nameStart);
      let kind: FunctionKind = /\bget\s*$/.test(prefix)
        ? "getter"
        : /\bset\s*$/.test(prefix)
          ? "setter"
          : prefix.includes("*")
            ? "generator"
            : "method";
      if (name === "constructor") kind = "constructor";
      return {
        name,
        kind,
        nameRange: nameNode ? { start: nameStart, end: nameEnd(source, nameStart) } : null,
        member: true,
        private: name.startsWith("#") || /\bprivate\b/.test(prefix),
      };
    }
    case "function_declaration":
    case "generator_function_declaration": {
      const nameNode = node.childForFieldName("name");
      const kind: FunctionKind = item.capture === "function_declaration" ? "function" : "generator";
      if (nameNode) {
        const start = startOf(nameNode);
        return {
          name: identifierFrom(source, start),
          kind,
          nameRange: { start, end: nameEnd(source, start) },
          member: false,
          private: false,
        };
      }
      return {
        name: contextName(node, source) ?? ANONYMOUS,
        kind,
        nameRange: null,
        member: false,
        private: false,
      };
    }
    default: {
      const kind: FunctionKind =
        item.capture === "arrow_function"
          ? "arrow"
          : item.capture === "generator_function"
            ? "generator"
            : "function";
      const context = valueContext(node, source);
      if (context) {
        return {
          name: context.name,
          kind,
          nameRange: null,
          member: context.name.includes(".") || context.slot === "member",
          private: lastSegment(context.name).startsWith("#") || context.private,
        };
      }
      // A named function expression that nothing names: `function handler() {}` as an argument.
      if (
        item.capture !== "arrow_function" &&
        /^(async\s+)?function\b/.test(source.slice(item.start, item.start + 20))
      ) {
        const match =
          /^(?:async\s+)?function\s*\*?\s*([A-Za-z_$\u00c0-\uffff][\w$\u00c0-\uffff]*)/.exec(
            source.slice(item.start, item.start + 200),
          );
        if (match) {
          const start = item.start + match[0].length - match[1]!.length;
          return {
            name: match[1]!,
            kind,
            nameRange: { start, end: start + match[1]!.length },
            member: false,
            private: false,
          };
        }
      }
      return { name: ANONYMOUS, kind, nameRange: null, member: false, private: false };
    }
  }
}

function identifierFrom(source: string, start: number): string {
  identifierAt.lastIndex = start;
  const match = identifierAt.exec(source);
  return match ? match[0] : "";
}

/** End of a name token starting at `start` (identifier, string or computed key). */
function nameEnd(source: string, start: number): number {
  const first = source[start];
  if (first === '"' || first === "'") {
    for (let i = start + 1; i < source.length; i++) {
      if (source[i] === "\\") i++;
      else if (source[i] === first) return i + 1;
    }
    return source.length;
  }
  if (first === "[") {
    let depth = 0;
    for (let i = start; i < source.length; i++) {
      if (source[i] === "[") depth++;
      else if (source[i] === "]" && --depth === 0) return i + 1;
    }
    return source.length;
  }
  identifierAt.lastIndex = start;
  const match = identifierAt.exec(source);
  return match ? start + match[0].length : start + 1;
}

/** Unwraps parentheses and TS casts around a value: `(() => 1) as F` is still assigned. */
function outermostValue(node: SyntaxNode): SyntaxNode {
  let current = node;
  for (
    let parent = current.parent;
    parent && (transparentWrappers.has(parent.type) || castTypeTail(parent, current));
    parent = parent.parent
  ) {
    current = parent;
  }
  return current;
}

/**
 * tree-sitter-typescript 0.23 reads `x as A.B.C` as `(x as A.B).C`. A member access straight
 * on a cast (no parentheses, which `(x as T).y` needs) is the rest of the cast's type name.
 */
function castTypeTail(parent: SyntaxNode, child: SyntaxNode): boolean {
  return (
    parent.type === "member_expression" &&
    (child.type === "as_expression" || child.type === "satisfies_expression") &&
    sameStart(parent.childForFieldName("object"), child)
  );
}

function sameStart(a: SyntaxNode | null, b: SyntaxNode): boolean {
  return a !== null && startOf(a) === startOf(b);
}

interface ValueContext {
  name: string;
  /** `member`: an object-literal pair or class field (called as `x.name()`). */
  slot: "binding" | "member";
  private: boolean;
}

/**
 * The name a value gets from where it is put: `const f =`, `a.b =`, `{ key: }`,
 * class field `handle =`, `export default`. Null when nothing names it (an argument).
 */
function valueContext(node: SyntaxNode, source: string): ValueContext | null {
  const value = outermostValue(node);
  const parent = value.parent;
  if (!parent) return null;
  switch (parent.type) {
    case "variable_declarator": {
      if (!sameStart(parent.childForFieldName("value"), value)) return null;
      const target = parent.childForFieldName("name");
      return target?.type === "identifier"
        ? { name: target.text, slot: "binding", private: false }
        : null;
    }
    case "augmented_assignment_expression":
    case "assignment_expression": {
      // Logical assignments (`??=`, `||=`, `&&=`) put the function itself there, as `=` does.
      if (
        parent.type === "augmented_assignment_expression" &&
        !logicalAssignment.has(parent.childForFieldName("operator")?.type ?? "")
      ) {
        return null;
      }
      const left = parent.childForFieldName("left");
      if (!left || sameStart(left, value)) return null;
      if (
        left.type === "identifier" ||
        left.type === "member_expression" ||
        left.type === "subscript_expression"
      ) {
        return { name: targetName(left), slot: "binding", private: false };
      }
      return null;
    }
    case "pair": {
      const key = parent.childForFieldName("key");
      if (!key || sameStart(key, value)) return null;
      return { name: propertyName(key, source), slot: "member", private: false };
    }
    case "field_definition":
    case "public_field_definition": {
      const key = parent.childForFieldName("property") ?? parent.childForFieldName("name");
      if (!key || sameStart(key, value)) return null;
      const prefix = source.slice(startOf(parent), startOf(key));
      return {
        name: propertyName(key, source),
        slot: "member",
        private: /\bprivate\b/.test(prefix),
      };
    }
    case "export_statement":
      return { name: "default", slot: "binding", private: false };
    default:
      return null;
  }
}

const logicalAssignment = new Set(["??=", "||=", "&&="]);

/**
 * An assignment target as a name: `a.b.c`, `a[key]`, with TypeScript casts and parentheses
 * dropped (`(api as Store).persist` → `api.persist`) and whitespace removed (outside strings).
 */
function targetName(node: SyntaxNode): string {
  switch (node.type) {
    case "member_expression": {
      const object = node.childForFieldName("object");
      const property = node.childForFieldName("property");
      if (object && property) return `${targetName(object)}.${property.text}`;
      break;
    }
    case "subscript_expression": {
      const object = node.childForFieldName("object");
      const index = node.childForFieldName("index");
      if (object && index) return `${targetName(object)}[${withoutSpaces(index.text)}]`;
      break;
    }
    case "parenthesized_expression":
    case "as_expression":
    case "satisfies_expression":
    case "non_null_expression":
    case "type_assertion": {
      const inner = node.namedChildren.find(
        (child) => child.type !== "type_arguments" && child.type !== "comment",
      );
      if (inner) return targetName(inner);
      break;
    }
  }
  return withoutSpaces(node.text);
}

/** `text` without whitespace, except inside string literals (`[ 'a b' ]` → `['a b']`). */
function withoutSpaces(text: string): string {
  return text.replace(/(["'`])(?:\\.|(?!\1)[^\\])*\1|\s+/g, (match) =>
    /^\s/.test(match) ? "" : match,
  );
}

function contextName(node: SyntaxNode, source: string): string | null {
  return valueContext(node, source)?.name ?? null;
}

function propertyName(key: SyntaxNode, source: string): string {
  const start = startOf(key);
  const first = source[start];
  if (first === '"' || first === "'") return source.slice(start + 1, nameEnd(source, start) - 1);
  if (first === "[")
    return `[${withoutSpaces(source.slice(start + 1, nameEnd(source, start) - 1))}]`;
  return identifierFrom(source, start) || key.text;
}

/** The name a class, object literal or namespace gives the functions inside it, or null. */
function containerName(item: Item, source: string): string | null {
  const node = item.node;
  switch (item.capture) {
    case "class":
      return node.type === "class"
        ? (contextName(node, source) ?? node.childForFieldName("name")?.text ?? null)
        : (node.childForFieldName("name")?.text ?? contextName(node, source));
    case "object":
      return contextName(node, source);
    case "namespace": {
      const name = node.childForFieldName("name");
      if (!name) return null;
      return name.type === "string" ? name.text.slice(1, -1) : name.text;
    }
    default:
      return null;
  }
}

function isExportedName(name: string, exportedBindings: Set<string>): boolean {
  if (name === "exports" || name.startsWith("exports.") || name.startsWith("module.exports")) {
    return true;
  }
  return exportedBindings.has(name.split(".", 1)[0]!);
}

const exportingStatement = /^(export|module|exports|var|let|const)\b/;
// Their first letters (e, m, v, l, c): most statements start otherwise and need no slice.
const exportingFirstUnits = new Set([101, 109, 118, 108, 99]);

/**
 * Local names exported by `export { a }`, `export default a`, `module.exports = a | { a, b: c }`
 * and `var proto = module.exports = ...`. Only top-level statements are read: that is where
 * modules export, and it keeps this cheap.
 */
function collectExportedBindings(statements: SyntaxNode[], source: string): Set<string> {
  const names = new Set<string>();
  const fromAssignment = (assignment: SyntaxNode, alias: string | null) => {
    let current: SyntaxNode | null = assignment;
    while (current?.type === "assignment_expression") {
      const target = current.childForFieldName("left")?.text.replace(/\s+/g, "") ?? "";
      const right: SyntaxNode | null = current.childForFieldName("right");
      if (target === "module.exports" || /^(module\.)?exports\./.test(target)) {
        if (alias) names.add(alias);
        if (right?.type === "identifier") names.add(right.text);
        else if (right?.type === "object") addObjectValues(right, names);
      }
      current = right;
    }
  };
  // Where `exports` occurs: a declaration or assignment without it cannot export anything
  // (asking tree-sitter for its children costs a native call and node objects per statement).
  const exportsAt: number[] = [];
  for (let at = source.indexOf("exports"); at >= 0; at = source.indexOf("exports", at + 7)) {
    exportsAt.push(at);
  }
  let nextExports = 0;
  for (const statement of statements) {
    const start = startOf(statement);
    // Most statements cannot export: decide from the first word before asking for the type.
    if (!exportingFirstUnits.has(source.charCodeAt(start))) continue;
    if (!exportingStatement.test(source.slice(start, start + 8))) continue;
    if (!source.startsWith("export", start)) {
      const end = statement.endIndex;
      while (nextExports < exportsAt.length && exportsAt[nextExports]! < start) nextExports++;
      if (nextExports >= exportsAt.length || exportsAt[nextExports]! >= end) continue;
    }
    switch (statement.type) {
      case "export_statement": {
        const value = statement.childForFieldName("value");
        if (value?.type === "identifier") names.add(value.text);
        for (const child of statement.namedChildren) {
          if (child.type !== "export_clause") continue;
          for (const specifier of child.namedChildren) {
            const name = specifier.childForFieldName("name");
            if (name?.type === "identifier") names.add(name.text);
          }
        }
        break;
      }
      case "expression_statement": {
        const expression = statement.namedChildren[0];
        if (expression?.type === "assignment_expression") fromAssignment(expression, null);
        break;
      }
      case "variable_declaration":
      case "lexical_declaration":
        for (const declarator of statement.namedChildren) {
          const value = declarator.childForFieldName("value");
          const alias = declarator.childForFieldName("name");
          if (value?.type === "assignment_expression") {
            fromAssignment(value, alias?.type === "identifier" ? alias.text : null);
          }
        }
        break;
    }
  }
  return names;
}

function addObjectValues(object: SyntaxNode, names: Set<string>): void {
  for (const member of object.namedChildren) {
    if (member.type === "shorthand_property_identifier") names.add(member.text);
    else if (member.type === "pair") {
      const value = member.childForFieldName("value");
      if (value?.type === "identifier") names.add(value.text);
    }
  }
}

/** Parameters (always parenthesised) and return type, as compact tokens: formatting-proof. */
function signatureOf(node: SyntaxNode, source: string, comments: Range[], typed: boolean): string {
  const params = node.childForFieldName("parameters") ?? node.childForFieldName("parameter");
  let text = "";
  if (params) {
    const start = startOf(params);
    const end = params.endIndex;
    const holes: Range[] = [];
    addComments(holes, comments, start, end);
    const tokens = tokenize(source, start, end, holes);
    text = source[start] === "(" ? compact(tokens) : `(${compact(tokens)})`;
  }
  const returnType = typed ? node.childForFieldName("return_type") : null;
  if (returnType) {
    const start = startOf(returnType);
    const end = returnType.endIndex;
    const holes: Range[] = [];
    addComments(holes, comments, start, end);
    text += compact(tokenize(source, start, end, holes));
  }
  return text;
}

function compact(tokens: string[]): string {
  let out = "";
  let previousWord = false;
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i]!;
    const next = tokens[i + 1];
    // A trailing comma is formatting, not a signature change.
    if (token === "," && (next === ")" || next === "]" || next === "}" || next === ">")) continue;
    const word = wordToken.test(token);
    if (word && (previousWord || out.endsWith(")"))) out += " ";
    else if (token === ":" || token === "=" || token === "=>") {
      out += token === ":" ? ": " : ` ${token} `;
      previousWord = false;
      continue;
    } else if (token === ",") {
      out += ", ";
      previousWord = false;
      continue;
    }
    out += token;
    previousWord = word;
  }
  return out.trim();
}

function addComments(holes: Range[], comments: Range[], start: number, end: number): void {
  let low = 0;
  let high = comments.length;
  while (low < high) {
    const mid = (low + high) >> 1;
    if (comments[mid]!.start < start) low = mid + 1;
    else high = mid;
  }
  for (let i = low; i < comments.length && comments[i]!.start < end; i++) holes.push(comments[i]!);
}

/** Tokens of `source[start, end)` outside the holes. */
function tokenize(source: string, start: number, end: number, holes: Range[]): string[] {
  holes.sort((a, b) => a.start - b.start);
  const tokens: string[] = [];
  let cursor = start;
  for (const hole of holes) {
    if (hole.start > cursor) pushTokens(tokens, source.slice(cursor, Math.min(hole.start, end)));
    if (hole.end > cursor) cursor = hole.end;
  }
  if (cursor < end) pushTokens(tokens, source.slice(cursor, end));
  return tokens;
}

function pushTokens(tokens: string[], text: string): void {
  const found = text.match(tokenPattern);
  if (found) for (const token of found) tokens.push(token);
}

const noTokens = (): string[] => [];

/**
 * A 64-bit hash of `tokenize(source, start, end, holes)`, scanned character by character
 * with the same token rules (`tokenPattern`) instead of building token strings: most
 * functions in a diff are unchanged, and for them only the hash is ever compared.
 * Equal token sequences hash equally; each token is followed by a separator unit.
 */
function hashOwnTokens(source: string, start: number, end: number, holes: Range[]): string {
  holes.sort((a, b) => a.start - b.start);
  // Two FNV-1a lanes over UTF-16 code units, with different primes and offset bases.
  let a = 0x811c9dc5 | 0;
  let b = 0x9747b28c | 0;
  const segment = (from: number, to: number) => {
    let i = from;
    while (i < to) {
      let c = source.charCodeAt(i);
      if (isSpace(c)) {
        i++;
        continue;
      }
      // Hash the token's units as they are scanned, then a separator.
      const word = isIdentifierStart(c);
      const number = !word && c >= 48 && c <= 57;
      for (;;) {
        a = Math.imul(a ^ c, 0x01000193);
        b = Math.imul(b ^ c, 0x5bd1e995);
        i++;
        if (i >= to || !(word || number)) break;
        c = source.charCodeAt(i);
        if (word ? !isIdentifierPart(c) : !isNumberPart(c)) break;
      }
      a = Math.imul(a ^ 1, 0x01000193);
      b = Math.imul(b ^ 1, 0x5bd1e995);
    }
  };
  let cursor = start;
  for (const hole of holes) {
    if (hole.start > cursor) segment(cursor, Math.min(hole.start, end));
    if (hole.end > cursor) cursor = hole.end;
  }
  if (cursor < end) segment(cursor, end);
  return `${(avalanche(a) >>> 0).toString(36)}.${(avalanche(b) >>> 0).toString(36)}`;
}

function avalanche(h: number): number {
  let x = h ^ (h >>> 16);
  x = Math.imul(x, 0x85ebca6b);
  x ^= x >>> 13;
  x = Math.imul(x, 0xc2b2ae35);
  return x ^ (x >>> 16);
}

// The classes of `tokenPattern`: a word as `isIdentifierStart`/`isIdentifierPart` read it,
// \d[\w.]* is a number, and below \u00c0 only these units are \s.
function isNumberPart(c: number): boolean {
  return (
    (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 95 || c === 46
  );
}

function isSpace(c: number): boolean {
  return c === 32 || (c >= 9 && c <= 13) || c === 160;
}

function lastSegment(name: string): string {
  const dot = name.lastIndexOf(".");
  return dot < 0 ? name : name.slice(dot + 1);
}

/** Index of the innermost function whose range holds `index`, or -1. */
export function innermostAt(functions: AnalysedFunction[], index: number): number {
  // Functions are sorted by start; the innermost container is the last one starting
  // before `index` whose range still holds it (walk its parents otherwise).
  let low = 0;
  let high = functions.length;
  while (low < high) {
    const mid = (low + high) >> 1;
    if (functions[mid]!.startIndex <= index) low = mid + 1;
    else high = mid;
  }
  let candidate = low - 1;
  while (candidate >= 0 && functions[candidate]!.endIndex <= index) {
    candidate = functions[candidate]!.parent;
  }
  return candidate;
}
