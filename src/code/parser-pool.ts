import Parser from "tree-sitter";
import JavaScript from "tree-sitter-javascript";
import TypeScript from "tree-sitter-typescript";
import type { Language } from "./types.ts";

/** Everything the engine needs to parse one language: a reused parser and compiled queries. */
export interface LanguageTools {
  parser: Parser;
  /** Captures `@fn` (function-like nodes with a body), `@comment`, `@call` (callee names). */
  query: Parser.Query;
  /** Captures `@export` (local names exported by clause / default / CommonJS). */
  exportQuery: Parser.Query;
}

const functionPatterns = `
[
  (function_declaration)
  (generator_function_declaration)
  (function_expression)
  (generator_function)
  (arrow_function)
  (method_definition)
] @fn
(comment) @comment
(call_expression function: (identifier) @call)
(call_expression function: (member_expression property: (property_identifier) @call))
(new_expression constructor: (identifier) @call)
(new_expression constructor: (member_expression property: (property_identifier) @call))
`;

const jsxPatterns = `
(jsx_opening_element name: (identifier) @call)
(jsx_self_closing_element name: (identifier) @call)
(jsx_opening_element name: (member_expression property: (property_identifier) @call))
(jsx_self_closing_element name: (member_expression property: (property_identifier) @call))
`;

const exportPatterns = `
(export_specifier name: (identifier) @export)
(export_statement value: (identifier) @export)
(assignment_expression left: (member_expression) @cjs-left right: (_) @cjs-right)
`;

type GrammarLanguage = ConstructorParameters<typeof Parser.Query>[0];

const grammars: Record<Language, { grammar: GrammarLanguage; jsx: boolean }> = {
  javascript: { grammar: JavaScript as GrammarLanguage, jsx: true },
  typescript: { grammar: TypeScript.typescript as GrammarLanguage, jsx: false },
  tsx: { grammar: TypeScript.tsx as GrammarLanguage, jsx: true },
};

const pool = new Map<Language, LanguageTools>();

/** One parser and one set of compiled queries per language, created on first use. */
export function toolsFor(language: Language): LanguageTools {
  let tools = pool.get(language);
  if (!tools) {
    const { grammar, jsx } = grammars[language];
    const parser = new Parser();
    parser.setLanguage(grammar);
    tools = {
      parser,
      query: new Parser.Query(grammar, functionPatterns + (jsx ? jsxPatterns : "")),
      exportQuery: new Parser.Query(grammar, exportPatterns),
    };
    pool.set(language, tools);
  }
  return tools;
}
