import type { ClickHouseConnection } from "./types.ts";

/** Named SELECTs to run together; a branch left `null` is skipped and comes back empty. */
export type UnionBranches<Rows> = { [K in keyof Rows]: string | null };

/**
 * Runs independent SELECTs as one statement. ClickHouse runs the branches of a UNION ALL in
 * parallel, and the whole set costs one round trip — the embedded store runs parameterized
 * statements one at a time, so separate queries would queue. Branches may differ in shape:
 * each row travels as its branch name plus the row itself as JSON text (64-bit integers as
 * strings, as ClickHouse's JSON formats write them by default).
 *
 * @example
 *   const { a, b } = await queryUnion<{ a: { x: number }; b: { y: string } }>(conn,
 *     { a: "SELECT 1 AS x", b: "SELECT 'z' AS y" }, {}); // a: [{ x: 1 }], b: [{ y: "z" }]
 */
export async function queryUnion<Rows extends Record<string, object>>(
  connection: ClickHouseConnection,
  branches: UnionBranches<Rows>,
  params: Record<string, unknown>,
): Promise<{ [K in keyof Rows]: Rows[K][] }> {
  const names = Object.keys(branches) as (keyof Rows & string)[];
  const result = Object.fromEntries(names.map((name) => [name, []])) as unknown as {
    [K in keyof Rows]: Rows[K][];
  };
  const parts = names.flatMap((name) => {
    const sql = branches[name];
    return sql === null
      ? []
      : [`SELECT '${name}' AS branch, formatRowNoNewline('JSONEachRow', *) AS row FROM (${sql})`];
  });
  if (parts.length === 0) return result;
  // formatRow leaves 64-bit integers unquoted unless told: JSON.parse would round them.
  const rows = await connection.query<{ branch: keyof Rows; row: string }>(
    `${parts.join("\nUNION ALL\n")}\nSETTINGS output_format_json_quote_64bit_integers = 1`,
    params,
  );
  for (const { branch, row } of rows) result[branch].push(JSON.parse(row));
  return result;
}
