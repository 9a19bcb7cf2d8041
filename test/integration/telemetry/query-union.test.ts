import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { queryUnion } from "../../../src/telemetry/query-union.ts";
import { openServerConnection } from "../../../src/telemetry/server-connection.ts";
import type { ClickHouseConnection } from "../../../src/telemetry/types.ts";
import { type ChdbEndpoint, startChdbEndpoint } from "../../support/chdb-endpoint.ts";

let endpoint: ChdbEndpoint;
let server: ClickHouseConnection;

beforeAll(async () => {
  endpoint = await startChdbEndpoint("faultline-union-");
  server = await openServerConnection({ url: endpoint.url });
});

afterAll(async () => {
  await server?.close();
  await endpoint?.close();
});

// What an exception message or span name may carry: quotes, escapes, line breaks, markup.
const HOSTILE = 'it\'s "quoted" \\ back\tslash\nnew line </script><b>x</b> 💥';

type Rows = {
  numbers: { n: string; label: string };
  nested: { tuples: [number, string][]; names: string[] };
  text: { s: string };
  skipped: { x: number };
};

describe.each([
  ["embedded", () => endpoint.connection],
  ["server", () => server],
] as const)("queryUnion over the %s connection", (_kind, connectionOf) => {
  it("returns each branch's rows in its own shape, values bound as parameters", async () => {
    const result = await queryUnion<Rows>(
      connectionOf(),
      {
        numbers: `SELECT toUInt64({k:UInt64} - number) AS n, concat('#', toString(number)) AS label
                  FROM numbers(3)`,
        nested: "SELECT [(1, 'a'), (2, {s:String})] AS tuples, {names:Array(String)} AS names",
        text: "SELECT {s:String} AS s",
        skipped: null,
      },
      { k: 18446744073709551615n, s: HOSTILE, names: ["x'y", HOSTILE] },
    );
    expect(result.numbers.sort((a, b) => a.label.localeCompare(b.label))).toEqual([
      { n: "18446744073709551615", label: "#0" },
      { n: "18446744073709551614", label: "#1" },
      { n: "18446744073709551613", label: "#2" },
    ]);
    expect(result.nested).toEqual([
      {
        tuples: [
          [1, "a"],
          [2, HOSTILE],
        ],
        names: ["x'y", HOSTILE],
      },
    ]);
    expect(result.text).toEqual([{ s: HOSTILE }]);
    expect(result.skipped).toEqual([]);
  });
});

it("queryUnion sends no statement when every branch is skipped", async () => {
  const refusing: ClickHouseConnection = {
    ...endpoint.connection,
    query: () => Promise.reject(new Error("no statement expected")),
  };
  expect(
    await queryUnion<{ a: { x: number }; b: { y: string } }>(refusing, { a: null, b: null }, {}),
  ).toEqual({ a: [], b: [] });
});
