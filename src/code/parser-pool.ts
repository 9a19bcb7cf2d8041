import Parser from "tree-sitter";
import JavaScript from "tree-sitter-javascript";
import TypeScript from "tree-sitter-typescript";
import type { Language } from "./types.ts";

/** Everything the engine needs to parse one language: a reused parser and a compiled query. */
export interface LanguageTools {
  parser: Parser;
  /**
   * One traversal per file. Captures are named after what they are: the six function-like
   * node types, `comment`, `class`, `object`, `namespace`, `export`.
   */
  query: Parser.Query;
  /** TypeScript grammars have return types; JavaScript does not (saves a lookup per function). */
  typed: boolean;
}

const patterns = `
(function_declaration) @function_declaration
(generator_function_declaration) @generator_function_declaration
(function_expression) @function_expression
(generator_function) @generator_function
(arrow_function) @arrow_function
(method_definition) @method_definition
(comment) @comment
[(class_declaration) (class)] @class
(object) @object
(export_statement) @export
`;

const typescriptPatterns = `
(abstract_class_declaration) @class
[(internal_module) (module)] @namespace
`;

type GrammarLanguage = ConstructorParameters<typeof Parser.Query>[0];

const grammars: Record<Language, { grammar: GrammarLanguage; typed: boolean }> = {
  javascript: { grammar: JavaScript as GrammarLanguage, typed: false },
  typescript: { grammar: TypeScript.typescript as GrammarLanguage, typed: true },
  tsx: { grammar: TypeScript.tsx as GrammarLanguage, typed: true },
};

const pool = new Map<Language, LanguageTools>();

/** One parser and one compiled query per language, created on first use. */
export function toolsFor(language: Language): LanguageTools {
  let tools = pool.get(language);
  if (!tools) {
    const { grammar, typed } = grammars[language];
    const parser = new Parser();
    parser.setLanguage(grammar);
    tools = {
      parser,
      query: new Parser.Query(grammar, patterns + (typed ? typescriptPatterns : "")),
      typed,
    };
    pool.set(language, tools);
  }
  return tools;
}
