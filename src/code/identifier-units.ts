// What the engine's lexical passes (the split lexer, the own-token hash) count as a name:
// [A-Za-z_$\u00c0-\uffff] starts one, [\w$\u00c0-\uffff] continues it.

export function isIdentifierStart(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95 || c === 36 || c >= 0xc0;
}

export function isIdentifierPart(c: number): boolean {
  return isIdentifierStart(c) || (c >= 48 && c <= 57);
}
