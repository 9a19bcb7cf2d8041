import Parser from "tree-sitter";
import JavaScript from "tree-sitter-javascript";
import TypeScript from "tree-sitter-typescript";
import type { Language } from "./types.ts";

/** Everything the engine needs to parse one language: a reused parser and the node types it reads. */
export interface LanguageTools {
  parser: Parser;
  /** The node types `captureOf` names, for `descendantsOfType`. */
  nodeTypes: string[];
  /** TypeScript grammars have return types; JavaScript does not (saves a lookup per function). */
  typed: boolean;
}

/**
 * What the engine reads of a tree, by node type: the six function-like types, `comment`,
 * `class`, `object`, `namespace`, `export`. One native walk per window collects them
 * (`descendantsOfType` visits nodes about 40% faster than a query cursor doing the same).
 */
const captures: Record<string, string> = {
  function_declaration: "function_declaration",
  generator_function_declaration: "generator_function_declaration",
  function_expression: "function_expression",
  generator_function: "generator_function",
  arrow_function: "arrow_function",
  method_definition: "method_definition",
  comment: "comment",
  class_declaration: "class",
  class: "class",
  object: "object",
  export_statement: "export",
};

const typescriptCaptures: Record<string, string> = {
  abstract_class_declaration: "class",
  internal_module: "namespace",
  module: "namespace",
};

const allCaptures: Record<string, string> = { ...captures, ...typescriptCaptures };

const captureByClass = new Map<unknown, string | undefined>();

/**
 * The capture name of a node `descendantsOfType` returned, or undefined for an anonymous
 * node sharing a type name (the `class` and `module` keywords). node-tree-sitter gives each
 * named node type a class whose prototype holds `type` as a value: read once per class, no
 * native call per node. Other nodes ask the binding.
 */
export function captureOf(node: Parser.SyntaxNode): string | undefined {
  const kind = node.constructor;
  if (captureByClass.has(kind)) return captureByClass.get(kind);
  const type = Object.getOwnPropertyDescriptor(kind.prototype, "type");
  if (type && "value" in type) {
    const capture = allCaptures[String(type.value)];
    captureByClass.set(kind, capture);
    return capture;
  }
  return node.isNamed ? allCaptures[node.type] : undefined;
}

type GrammarLanguage = ConstructorParameters<typeof Parser.Query>[0];

const grammars: Record<Language, { grammar: GrammarLanguage; typed: boolean }> = {
  javascript: { grammar: JavaScript as GrammarLanguage, typed: false },
  typescript: { grammar: TypeScript.typescript as GrammarLanguage, typed: true },
  tsx: { grammar: TypeScript.tsx as GrammarLanguage, typed: true },
};

const pool = new Map<Language, LanguageTools>();

/** One parser per language, created on first use. */
export function toolsFor(language: Language): LanguageTools {
  let tools = pool.get(language);
  if (!tools) {
    const { grammar, typed } = grammars[language];
    const parser = new Parser();
    parser.setLanguage(grammar);
    tools = {
      parser,
      nodeTypes: Object.keys(typed ? allCaptures : captures),
      typed,
    };
    pool.set(language, tools);
  }
  return tools;
}
