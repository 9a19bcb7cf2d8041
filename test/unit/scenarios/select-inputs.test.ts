import { describe, expect, it } from "vitest";
import { serialize } from "../../../src/instrument/serialize.ts";
import { selectInputs } from "../../../src/scenarios/select-inputs.ts";
import type { InputSample } from "../../../src/telemetry/types.ts";

const key = { file: "src/pricing.js", name: "quote" };
const ret = (args: unknown[], value: unknown, count = 1): InputSample => ({
  key,
  args: serialize(args),
  outcome: { kind: "return", value: serialize(value) },
  count,
  lastSeen: "2026-11-25T10:00:00.000Z",
  version: "abc123",
});
const thr = (args: unknown[], type: string, message: string, count = 1): InputSample => ({
  key,
  args: serialize(args),
  outcome: { kind: "throw", type, message },
  count,
  lastSeen: "2026-11-25T10:00:00.000Z",
  version: "abc123",
});

const traffic: InputSample[] = [
  ...Array.from({ length: 30 }, (_, i) =>
    ret([{ sku: `A${i}`, qty: 1 + (i % 3) }], { total: 100 * (i + 1) }, 40 - i),
  ),
  thr([{ sku: "A1", qty: 0 }], "RangeError", "qty must be positive", 3),
  thr([null], "TypeError", "items must be an array", 2),
  thr([{ sku: "A1", qty: 1 }, "BOGUS"], "InvalidCouponError", "coupon BOGUS is not valid", 1),
  ret([[]], null, 1),
  ret([{ sku: "Crème", qty: 1 }], { total: 450 }, 1),
  ret([{ sku: "A1", qty: -2 }], { total: -200 }, 1),
  ret([{ sku: "A1", qty: 1e12 }], { total: 1e14 }, 1),
];

describe("selectInputs", () => {
  it("keeps every outcome class: each return shape and each exception type", () => {
    const picked = selectInputs(traffic, 8);
    expect(picked.length).toBeLessThanOrEqual(8);
    const classes = new Set(picked.map((p) => p.outcomeClass));
    expect(classes).toEqual(
      new Set([
        "return:{total:number}",
        "return:null",
        "throw:RangeError",
        "throw:TypeError",
        "throw:InvalidCouponError",
      ]),
    );
    // The most frequent return comes first and represents its class.
    expect(picked[0]).toMatchObject({
      args: serialize([{ sku: "A0", qty: 1 }]),
      count: 40,
      why: "outcome",
    });
  });

  it("adds the edge values production sent once outcome classes are covered", () => {
    const picked = selectInputs(traffic, 10);
    const edges = new Set(picked.flatMap((p) => p.edges));
    for (const edge of ["empty", "null", "zero", "negative", "huge", "unicode"])
      expect(edges).toContain(edge);
    expect(picked.filter((p) => p.why.startsWith("edge:")).map((p) => p.why)).toEqual(
      expect.arrayContaining(["edge:unicode", "edge:negative", "edge:huge"]),
    );
  });

  it("picks a case or whitespace variant of a frequent input as an edge", () => {
    const picked = selectInputs(
      [
        ret([[{ sku: "A", qty: 1 }], "SAVE10"], { total: 90 }, 9),
        ret([[{ sku: "A", qty: 2 }], "SAVE10"], { total: 180 }, 8),
        ret([[{ sku: "A", qty: 3 }], "SAVE10"], { total: 270 }, 7),
        ret([[{ sku: "A", qty: 1 }], " save10"], { total: 90 }, 1),
      ],
      2,
    );
    expect(picked.map((p) => [p.why, p.edges])).toEqual([
      ["outcome", []],
      ["edge:variant", ["variant"]],
    ]);
  });

  it("respects the cap and fills by frequency", () => {
    expect(selectInputs(traffic, 3)).toHaveLength(3);
    const many = selectInputs(traffic, 50);
    expect(many).toHaveLength(traffic.length);
    expect(new Set(many.map((p) => p.args)).size).toBe(many.length);
  });

  it("is deterministic whatever the sample order", () => {
    const a = selectInputs(traffic, 8).map((p) => p.args);
    const b = selectInputs([...traffic].reverse(), 8).map((p) => p.args);
    const c = selectInputs(
      [...traffic].sort(() => 0.5 - Math.random()),
      8,
    ).map((p) => p.args);
    expect(b).toEqual(a);
    expect(c).toEqual(a);
  });

  it("merges identical inputs and marks those whose outcome varied", () => {
    const picked = selectInputs(
      [
        ret(["usr_1"], { id: "s1" }, 2),
        ret(["usr_1"], { id: "s2" }, 1),
        thr(["usr_1"], "Error", "flaky", 1),
        ret(["usr_2"], { id: "s3" }, 1),
      ],
      5,
    );
    expect(picked[0]).toMatchObject({ args: '["usr_1"]', count: 4, outcomeClass: "varied" });
    expect(picked[0]?.outcomes.map((o) => o.count)).toEqual([2, 1, 1]);
  });
});
