import { describe, expect, it } from "vitest";
import {
  declaredParamTypes,
  decodeParamValue,
  TupleParam,
  unescapeTsv,
} from "../../../src/telemetry/clickhouse-param-value.ts";

describe("ClickHouse HTTP parameter values", () => {
  it("reads placeholder types from the statement", () => {
    const types = declaredParamTypes(
      "SELECT {a:String}, {b: Array(Tuple(String, UInt64))}, {c:DateTime64(3, 'UTC')} WHERE x = {a:String}",
    );
    expect([...types]).toEqual([
      ["a", "String"],
      ["b", "Array(Tuple(String, UInt64))"],
      ["c", "DateTime64(3, 'UTC')"],
    ]);
  });

  it("unescapes TSV-encoded strings as @clickhouse/client sends them", () => {
    expect(unescapeTsv("it\\'s\\ta\\\\b\\nc")).toBe("it's\ta\\b\nc");
    expect(decodeParamValue("LowCardinality(String)", "x\\ty")).toBe("x\ty");
    expect(decodeParamValue("Nullable(String)", "\\N")).toBeNull();
    expect(decodeParamValue("Int64", "-5")).toBe("-5");
  });

  it("parses composite literals into values chDB binds again", () => {
    expect(decodeParamValue("Array(String)", "['a','it\\'s','x,y]']")).toEqual([
      "a",
      "it's",
      "x,y]",
    ]);
    expect(decodeParamValue("Array(UInt64)", "[18446744073709551615,1]")).toEqual([
      18446744073709551615n,
      1,
    ]);
    expect(decodeParamValue("Array(Array(UInt32))", "[[1,2],[]]")).toEqual([[1, 2], []]);
    const tuple = decodeParamValue(
      "Array(Tuple(String,Nullable(String)))",
      "[('a',NULL)]",
    ) as TupleParam[];
    expect(tuple[0]).toBeInstanceOf(TupleParam);
    expect(tuple[0]?.values).toEqual(["a", null]);
    expect(decodeParamValue("Map(String, UInt8)", "{'k':1}")).toEqual(new Map([["k", 1]]));
    expect(() => decodeParamValue("Array(String)", "['open")).toThrow(/unterminated string/);
  });
});
