/**
 * A second, independent reading of a file's functions for tests to compare the engine with:
 * Babel's parser instead of tree-sitter, and the naming rules (README, "Names") implemented
 * again over Babel's tree.
 */
import { type ParserOptions, parse } from "@babel/parser";

export interface OracleFunction {
  /** 1-based start line (the first decorator's, when decorated) and end line. */
  start: number;
  end: number;
  /** Qualified name, or null where this reading leaves it open (destructuring, `a[f()] =`). */
  name: string | null;
  /** Source offsets [from, to) of the whole function, decorators included. */
  from: number;
  to: number;
  /** Offsets of its own name (`function f`, method `m`), which its own tokens leave out. */
  nameAt: [number, number] | null;
  /** Offsets of each parameter and of the return type annotation. */
  signatureAt: [number, number][];
}

/** A token as Babel reads it (comments are not tokens). */
export interface OracleToken {
  start: number;
  end: number;
  /** JSX text with whitespace collapsed (whitespace-only JSX text is dropped). */
  text: string;
}

interface BabelNode {
  type: string;
  start: number;
  end: number;
  loc: { start: { line: number }; end: { line: number } };
  [key: string]: unknown;
}

const FUNCTIONS = new Set([
  "FunctionDeclaration",
  "FunctionExpression",
  "ArrowFunctionExpression",
  "ObjectMethod",
  "ClassMethod",
  "ClassPrivateMethod",
]);
const METHODS = new Set(["ObjectMethod", "ClassMethod", "ClassPrivateMethod"]);
const CLASSES = new Set(["ClassDeclaration", "ClassExpression"]);
const WRAPPERS = new Set([
  "TSAsExpression",
  "TSSatisfiesExpression",
  "TSNonNullExpression",
  "TSTypeAssertion",
  "ParenthesizedExpression",
]);
const NAMING_ASSIGNMENTS = new Set(["=", "??=", "||=", "&&="]);
/** Unknown name: the reading stops naming below it. */
const OPEN = "\u0000";

const isNode = (value: unknown): value is BabelNode =>
  typeof value === "object" && value !== null && typeof (value as BabelNode).type === "string";
const child = (node: BabelNode, key: string): BabelNode | null => {
  const value = node[key];
  return isNode(value) ? value : null;
};
const children = (node: BabelNode, key: string): BabelNode[] => {
  const value = node[key];
  return Array.isArray(value) ? value.filter(isNode) : [];
};

function parseFile(source: string, path: string) {
  const plugins: NonNullable<ParserOptions["plugins"]> = ["decorators"];
  if (/\.[cm]?tsx?$/.test(path)) plugins.push("typescript");
  if (!/\.[cm]?ts$/.test(path)) plugins.push("jsx");
  return parse(source, { sourceType: "unambiguous", errorRecovery: true, plugins, tokens: true });
}

/** The file's tokens, comments excluded. */
export function babelTokens(source: string, path: string): OracleToken[] {
  const tokens = (parseFile(source, path).tokens ?? []) as {
    start: number;
    end: number;
    type: string | { label: string };
  }[];
  return tokens.flatMap(({ start, end, type }) => {
    const label = typeof type === "string" ? type : type.label;
    if (label === "eof" || label === "CommentLine" || label === "CommentBlock") return [];
    const raw = source.slice(start, end);
    const text = label === "jsxText" ? raw.replace(/\s+/g, " ").trim() : raw;
    return text === "" ? [] : [{ start, end, text }];
  });
}

/** Every function-like node with a body, with its lines and qualified name. */
export function babelFunctions(source: string, path: string): OracleFunction[] {
  const program = parseFile(source, path).program as unknown as BabelNode;
  const text = (node: BabelNode) => source.slice(node.start, node.end);
  const found: OracleFunction[] = [];

  const unwrap = (node: BabelNode | null): BabelNode | null => {
    const inner = node && WRAPPERS.has(node.type) ? child(node, "expression") : null;
    return inner ? unwrap(inner) : node;
  };
  /** Values that take the name of where they are put: functions, objects, classes. */
  const nameable = (node: BabelNode | null) => {
    const value = unwrap(node);
    return (
      value !== null &&
      (FUNCTIONS.has(value.type) || value.type === "ObjectExpression" || CLASSES.has(value.type))
    );
  };
  const keyName = (member: BabelNode): string => {
    const key = child(member, "key");
    if (!key) return OPEN;
    if (member.computed === true) return `[${withoutSpaces(text(key))}]`;
    if (key.type === "Identifier") return String(key.name);
    if (key.type === "PrivateName") return `#${String(child(key, "id")?.name)}`;
    if (key.type === "StringLiteral" || key.type === "NumericLiteral") return String(key.value);
    return OPEN;
  };
  const targetName = (target: BabelNode): string => {
    if (target.type === "Identifier") return String(target.name);
    const name = withoutSpaces(text(target));
    return /^[\w$.#]+$/.test(name) ? name : OPEN;
  };

  // `name`: what the node is named by where it is put; null when nothing names it.
  const visit = (node: BabelNode | null, scope: string[], name: string | null): void => {
    if (!node) return;
    if (WRAPPERS.has(node.type)) {
      visit(child(node, "expression"), scope, name);
      return;
    }
    if (FUNCTIONS.has(node.type)) {
      const own =
        name ??
        (METHODS.has(node.type)
          ? node.kind === "constructor"
            ? "constructor"
            : keyName(node)
          : String(child(node, "id")?.name ?? "<anonymous>"));
      const qualified = [...scope, own];
      if (node.body) {
        const first = children(node, "decorators")[0] ?? node;
        const ownName = child(node, "id") ?? child(node, "key");
        found.push({
          start: first.loc.start.line,
          end: node.loc.end.line,
          name: qualified.includes(OPEN) ? null : qualified.join("."),
          from: first.start,
          to: node.end,
          nameAt: ownName ? [ownName.start, ownName.end] : null,
          signatureAt: [...children(node, "params"), child(node, "returnType")].flatMap(
            (part): [number, number][] => (part ? [[part.start, part.end]] : []),
          ),
        });
      }
      for (const param of children(node, "params")) visit(param, qualified, null);
      visit(child(node, "body"), qualified, null);
      return;
    }
    if (CLASSES.has(node.type)) {
      const className = name ?? (child(node, "id")?.name as string | undefined) ?? null;
      const inner = className === null ? scope : [...scope, className];
      visit(child(node, "superClass"), scope, null);
      for (const member of children(child(node, "body") ?? node, "body")) {
        if (METHODS.has(member.type)) visit(member, inner, null);
        else if (member.type.endsWith("Property")) {
          const value = child(member, "value");
          visit(value, inner, nameable(value) ? keyName(member) : null);
        } else visit(member, inner, null);
      }
      return;
    }
    if (node.type === "ObjectExpression") {
      const inner = name === null ? scope : [...scope, name];
      for (const property of children(node, "properties")) {
        if (METHODS.has(property.type)) visit(property, inner, null);
        else if (property.type === "ObjectProperty") {
          const value = child(property, "value");
          visit(value, inner, nameable(value) ? keyName(property) : null);
        } else visit(property, inner, null);
      }
      return;
    }
    if (node.type === "VariableDeclarator") {
      const id = child(node, "id");
      visit(child(node, "init"), scope, id?.type === "Identifier" ? String(id.name) : null);
      return;
    }
    if (node.type === "AssignmentExpression" && NAMING_ASSIGNMENTS.has(String(node.operator))) {
      const left = child(node, "left");
      const right = child(node, "right");
      const named = nameable(right) || unwrap(right)?.type === "AssignmentExpression";
      visit(left, scope, null);
      visit(right, scope, named && left ? targetName(left) : null);
      return;
    }
    if (node.type === "ExportDefaultDeclaration") {
      const declaration = child(node, "declaration");
      const anonymous = declaration !== null && !child(declaration, "id");
      const named = nameable(declaration) || declaration?.type === "ClassDeclaration";
      visit(declaration, scope, anonymous && named ? "default" : null);
      return;
    }
    if (node.type === "TSModuleDeclaration") {
      const id = child(node, "id");
      const namespace = id ? String(id.name ?? id.value) : OPEN;
      visit(child(node, "body"), [...scope, namespace], null);
      return;
    }
    for (const [key, value] of Object.entries(node)) {
      if (key === "loc" || key.endsWith("Comments")) continue;
      for (const item of Array.isArray(value) ? value : [value]) {
        if (isNode(item)) visit(item, scope, null);
      }
    }
  };
  visit(program, [], null);
  return found;
}

/** Whitespace dropped outside string literals, as the engine writes computed keys and targets. */
function withoutSpaces(text: string): string {
  return text.replace(/(["'`])(?:\\.|(?!\1)[^\\])*\1|\s+/g, (match) =>
    /^\s/.test(match) ? "" : match,
  );
}
