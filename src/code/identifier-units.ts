// What the engine's lexical passes (the split lexer, the own-token hash) count as a name:
// [A-Za-z_$\u00c0-\uffff] starts one, [\w$\u00c0-\uffff] continues it.

const START = 1;
const PART = 2;
const units = new Uint8Array(0x10000);
for (let c = 0; c < 0x10000; c++) {
  const start = (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95 || c === 36 || c >= 0xc0;
  units[c] = (start ? START | PART : 0) | (c >= 48 && c <= 57 ? PART : 0);
}

export function isIdentifierStart(c: number): boolean {
  return (units[c]! & START) !== 0;
}

export function isIdentifierPart(c: number): boolean {
  return (units[c]! & PART) !== 0;
}
