import { createHash } from "node:crypto";
import type Parser from "tree-sitter";
import { toolsFor } from "./parser-pool.ts";
import type { ExtractedFunction, FunctionKind, Language } from "./types.ts";

type SyntaxNode = Parser.SyntaxNode;

/** An extracted function plus what the engine needs internally (tokens, nesting, ranges). */
export interface AnalysedFunction extends ExtractedFunction {
  kind: FunctionKind;
  /** Last name segment, matched against call sites; "" when anonymous. */
  simpleName: string;
  /** Called as `x.name()` (methods, member assignments) rather than `name()`. */
  member: boolean;
  /** The function's own tokens: nested functions, comments and whitespace excluded. */
  tokens: string[];
  /** Index of the innermost enclosing function in `AnalysedFile.functions`, or -1. */
  parent: number;
  startIndex: number;
  endIndex: number;
}

/** A call, `new` or JSX element naming something, for call-site (blast radius) search. */
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

export interface AnalysedFile {
  /** In source order (by start, outer before inner). */
  functions: AnalysedFunction[];
  calls: CallReference[];
  syntaxErrors: boolean;
}

export const ANONYMOUS = "<anonymous>";

const functionTypes = new Set([
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

interface Range {
  start: number;
  end: number;
}

/**
 * Parses one file and extracts every function-like node with a body, its qualified name,
 * own-token hash and signature, plus the call sites in the file. One parse, query
 * captures instead of a full JS-side tree walk: this runs on every changed file.
 */
export function analyseFile(source: string, language: Language): AnalysedFile {
  const tools = toolsFor(language);
  const tree = tools.parser.parse(source);
  const root = tree.rootNode;

  const fnNodes: SyntaxNode[] = [];
  const comments: Range[] = [];
  const callNodes: SyntaxNode[] = [];
  for (const capture of tools.query.captures(root)) {
    const node = capture.node;
    if (capture.name === "fn") fnNodes.push(node);
    else if (capture.name === "comment")
      comments.push({ start: node.startIndex, end: node.endIndex });
    else callNodes.push(node);
  }
  fnNodes.sort((a, b) => a.startIndex - b.startIndex || b.endIndex - a.endIndex);
  comments.sort((a, b) => a.start - b.start);

  const exportedBindings = collectExportedBindings(tools.exportQuery, root);

  const parents: number[] = [];
  const children: number[][] = fnNodes.map(() => []);
  const stack: number[] = [];
  fnNodes.forEach((node, index) => {
    while (stack.length > 0 && fnNodes[stack[stack.length - 1]!]!.endIndex <= node.startIndex) {
      stack.pop();
    }
    const parent = stack.length > 0 ? stack[stack.length - 1]! : -1;
    parents.push(parent);
    if (parent >= 0) children[parent]!.push(index);
    stack.push(index);
  });

  const functions: AnalysedFunction[] = [];
  fnNodes.forEach((node, index) => {
    const parent = parents[index]!;
    const own = ownName(node);
    const context = containerContext(node);
    const prefix = parent >= 0 ? `${functions[parent]!.name}.` : "";
    const name = prefix + [...context.segments, own.name].join(".");

    const holes: Range[] = children[index]!.map((child) => ({
      start: fnNodes[child]!.startIndex,
      end: fnNodes[child]!.endIndex,
    }));
    if (own.nameNode) holes.push({ start: own.nameNode.startIndex, end: own.nameNode.endIndex });
    addComments(holes, comments, node.startIndex, node.endIndex);
    const tokens = tokenize(source, node.startIndex, node.endIndex, holes);

    functions.push({
      name,
      kind: own.kind,
      startLine: node.startPosition.row + 1,
      endLine: node.endPosition.row + 1,
      signature: signatureOf(node, source, comments),
      bodyHash: hashTokens(tokens),
      exported: isExported(parent, name, context, own, exportedBindings),
      simpleName: own.name === ANONYMOUS ? "" : lastSegment(own.name),
      member: own.member,
      tokens,
      parent,
      startIndex: node.startIndex,
      endIndex: node.endIndex,
    });
  });

  const calls: CallReference[] = callNodes.map((node) => ({
    name: node.text,
    member: node.type === "property_identifier",
    line: node.startPosition.row + 1,
    enclosing: innermostAt(functions, node.startIndex),
  }));

  return { functions, calls, syntaxErrors: root.hasError };
}

interface OwnName {
  name: string;
  kind: FunctionKind;
  /** The name token inside the function node, excluded from the body hash. */
  nameNode: SyntaxNode | null;
  member: boolean;
  private: boolean;
}

function ownName(node: SyntaxNode): OwnName {
  const nameNode = node.childForFieldName("name");
  switch (node.type) {
    case "method_definition": {
      const name = nameNode ? propertyName(nameNode) : ANONYMOUS;
      let kind: FunctionKind = "method";
      let isPrivate = nameNode?.type === "private_property_identifier";
      for (const child of node.children) {
        if (child.startIndex >= (nameNode?.startIndex ?? node.endIndex)) break;
        if (child.type === "get") kind = "getter";
        else if (child.type === "set") kind = "setter";
        else if (child.type === "*") kind = "generator";
        else if (child.type === "accessibility_modifier" && child.text === "private") {
          isPrivate = true;
        }
      }
      if (name === "constructor" && node.parent?.type === "class_body") kind = "constructor";
      return { name, kind, nameNode, member: true, private: isPrivate };
    }
    case "function_declaration":
    case "generator_function_declaration":
      return {
        name: nameNode?.text ?? contextName(node) ?? ANONYMOUS,
        kind: node.type === "function_declaration" ? "function" : "generator",
        nameNode,
        member: false,
        private: false,
      };
    default: {
      const kind: FunctionKind =
        node.type === "arrow_function"
          ? "arrow"
          : node.type === "generator_function"
            ? "generator"
            : "function";
      const fromContext = contextName(node);
      if (fromContext !== null) {
        return {
          name: fromContext,
          kind,
          nameNode,
          member: fromContext.includes(".") || isMemberSlot(node),
          private: lastSegment(fromContext).startsWith("#") || isPrivateField(node),
        };
      }
      return { name: nameNode?.text ?? ANONYMOUS, kind, nameNode, member: false, private: false };
    }
  }
}

/** Unwraps parentheses and TS casts around a value: `(() => 1) as F` is still assigned. */
function outermostValue(node: SyntaxNode): SyntaxNode {
  let current = node;
  while (current.parent && transparentWrappers.has(current.parent.type)) current = current.parent;
  return current;
}

function sameNode(a: SyntaxNode | null, b: SyntaxNode): boolean {
  return a !== null && a.startIndex === b.startIndex && a.endIndex === b.endIndex;
}

/** A TypeScript `private` class field holding the function. */
function isPrivateField(node: SyntaxNode): boolean {
  const field = outermostValue(node).parent;
  if (field?.type !== "public_field_definition") return false;
  return field.children.some(
    (child) => child.type === "accessibility_modifier" && child.text === "private",
  );
}

/** True when the value sits in an object-literal pair or class field (called as `x.name()`). */
function isMemberSlot(node: SyntaxNode): boolean {
  const type = outermostValue(node).parent?.type;
  return type === "pair" || type === "field_definition" || type === "public_field_definition";
}

/**
 * The name a value gets from where it is put: `const f =`, `a.b =`, `{ key: }`,
 * class field `handle =`, `export default`. Null when nothing names it (an argument).
 */
function contextName(node: SyntaxNode): string | null {
  const value = outermostValue(node);
  const parent = value.parent;
  if (!parent) return null;
  switch (parent.type) {
    case "variable_declarator": {
      if (!sameNode(parent.childForFieldName("value"), value)) return null;
      const target = parent.childForFieldName("name");
      return target?.type === "identifier" ? target.text : null;
    }
    case "assignment_expression": {
      if (!sameNode(parent.childForFieldName("right"), value)) return null;
      const left = parent.childForFieldName("left");
      if (!left) return null;
      if (
        left.type === "identifier" ||
        left.type === "member_expression" ||
        left.type === "subscript_expression"
      ) {
        return left.text.replace(/\s+/g, "");
      }
      return null;
    }
    case "pair": {
      if (!sameNode(parent.childForFieldName("value"), value)) return null;
      const key = parent.childForFieldName("key");
      return key ? propertyName(key) : null;
    }
    case "field_definition":
    case "public_field_definition": {
      if (!sameNode(parent.childForFieldName("value"), value)) return null;
      const key = parent.childForFieldName("property") ?? parent.childForFieldName("name");
      return key ? propertyName(key) : null;
    }
    case "export_statement":
      return sameNode(parent.childForFieldName("value"), value) ? "default" : null;
    default:
      return null;
  }
}

function propertyName(key: SyntaxNode): string {
  switch (key.type) {
    case "string":
      return key.text.slice(1, -1);
    case "computed_property_name":
      return `[${key.text.slice(1, -1).replace(/\s+/g, "")}]`;
    default:
      return key.text;
  }
}

interface ContainerContext {
  /** Enclosing class / object-literal / namespace names, outermost first. */
  segments: string[];
  /** Inside an `export` statement with no enclosing function. */
  exportStatement: boolean;
}

/** Walks up to the enclosing function (or the file), collecting container names. */
function containerContext(node: SyntaxNode): ContainerContext {
  const segments: string[] = [];
  let exportStatement = false;
  for (let current = node.parent; current; current = current.parent) {
    if (functionTypes.has(current.type)) return { segments, exportStatement: false };
    switch (current.type) {
      case "class_declaration":
      case "abstract_class_declaration":
      case "class": {
        const name =
          current.type === "class"
            ? (contextName(current) ?? current.childForFieldName("name")?.text)
            : (current.childForFieldName("name")?.text ?? contextName(current));
        if (name) segments.unshift(name);
        break;
      }
      case "object": {
        const name = contextName(current);
        if (name) segments.unshift(name);
        break;
      }
      case "internal_module":
      case "module": {
        const name = current.childForFieldName("name");
        if (name) segments.unshift(name.type === "string" ? name.text.slice(1, -1) : name.text);
        break;
      }
      case "export_statement":
        exportStatement = true;
        break;
    }
  }
  return { segments, exportStatement };
}

function isExported(
  parent: number,
  name: string,
  context: ContainerContext,
  own: OwnName,
  exportedBindings: Set<string>,
): boolean {
  if (parent >= 0 || own.private) return false;
  if (context.exportStatement) return true;
  if (name === "exports" || name.startsWith("exports.") || name.startsWith("module.exports")) {
    return true;
  }
  const first = name.split(".", 1)[0]!;
  return exportedBindings.has(first);
}

/** Local names exported by `export { a }`, `export default a`, `module.exports = a | { a, b: c }`. */
function collectExportedBindings(query: Parser.Query, root: SyntaxNode): Set<string> {
  const names = new Set<string>();
  for (const match of query.matches(root)) {
    const left = match.captures.find((c) => c.name === "cjs-left")?.node;
    const right = match.captures.find((c) => c.name === "cjs-right")?.node;
    if (!left || !right) {
      for (const capture of match.captures) names.add(capture.node.text);
      continue;
    }
    const target = left.text.replace(/\s+/g, "");
    if (!(target === "module.exports" || /^(module\.)?exports\./.test(target))) continue;
    // `var proto = module.exports = ...`: members added to `proto` are exported too.
    const declarator = left.parent?.parent;
    if (declarator?.type === "variable_declarator") {
      const alias = declarator.childForFieldName("name");
      if (alias?.type === "identifier") names.add(alias.text);
    }
    if (right.type === "identifier") names.add(right.text);
    else if (right.type === "object") {
      for (const member of right.namedChildren) {
        if (member.type === "shorthand_property_identifier") names.add(member.text);
        else if (member.type === "pair") {
          const value = member.childForFieldName("value");
          if (value?.type === "identifier") names.add(value.text);
        }
      }
    }
  }
  return names;
}

/** Parameters (always parenthesised) and return type, as compact tokens: formatting-proof. */
function signatureOf(node: SyntaxNode, source: string, comments: Range[]): string {
  const params = node.childForFieldName("parameters") ?? node.childForFieldName("parameter");
  const returnType = node.childForFieldName("return_type");
  let text = "";
  if (params) {
    const holes: Range[] = [];
    addComments(holes, comments, params.startIndex, params.endIndex);
    const tokens = tokenize(source, params.startIndex, params.endIndex, holes);
    text = params.type === "formal_parameters" ? compact(tokens) : `(${compact(tokens)})`;
  }
  if (returnType) {
    const holes: Range[] = [];
    addComments(holes, comments, returnType.startIndex, returnType.endIndex);
    text += compact(tokenize(source, returnType.startIndex, returnType.endIndex, holes));
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
    if (hole.start > cursor) pushTokens(tokens, source.slice(cursor, hole.start));
    if (hole.end > cursor) cursor = hole.end;
  }
  if (cursor < end) pushTokens(tokens, source.slice(cursor, end));
  return tokens;
}

function pushTokens(tokens: string[], text: string): void {
  const found = text.match(tokenPattern);
  if (found) for (const token of found) tokens.push(token);
}

function hashTokens(tokens: string[]): string {
  return createHash("sha1").update(tokens.join("\u0001")).digest("base64url").slice(0, 20);
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
