/** Parses ClickHouse `JSONEachRow` output: one JSON object per line. */
export function parseJsonEachRow<T>(text: string): T[] {
  const rows: T[] = [];
  for (const line of text.split("\n")) {
    if (line.trim() !== "") rows.push(JSON.parse(line) as T);
  }
  return rows;
}

/** Serialises rows as `JSONEachRow` (newline-terminated). */
export function toJsonEachRow(rows: readonly Record<string, unknown>[]): string {
  let out = "";
  for (const row of rows) out += `${JSON.stringify(row, bigintReplacer)}\n`;
  return out;
}

function bigintReplacer(_key: string, value: unknown): unknown {
  return typeof value === "bigint" ? value.toString() : value;
}
