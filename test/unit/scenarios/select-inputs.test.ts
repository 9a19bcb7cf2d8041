import { describe, expect, it } from "vitest";
import { serialize } from "../../../src/instrument/serialize.ts";
import {
  messageTemplate,
  selectInputs,
  selectInputsWithSummary,
} from "../../../src/scenarios/select-inputs.ts";
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
  it("keeps a rare TypeError seen once among 200 frequent returns, at any cap of 2 or more", () => {
    // Four return shapes (object, object with a flag, null, a message string), 200 inputs.
    const shapes = [
      (i: number) => ({ code: `SAVE${i % 40}`, off: i }),
      (i: number) => ({ code: `SAVE${i % 40}`, off: i, freeShipping: true }),
      () => null,
      (i: number) => `no discount for ${i}`,
    ];
    const frequent = Array.from({ length: 200 }, (_, i) =>
      ret([`SAVE${i % 40}`, 1000 + i, "2026-11-25"], shapes[i % 4]?.(i), 200 - i),
    );
    const rare = thr(
      [10, 17500, "2026-11-25"],
      "TypeError",
      "discount code must be a string, got number",
    );
    for (const max of [2, 3, 4, 8]) {
      const picked = selectInputs([...frequent, rare], max);
      expect(picked).toHaveLength(max);
      expect(picked.map((p) => p.outcomeClass)).toContain("throw:TypeError");
      expect(picked.find((p) => p.outcomeClass === "throw:TypeError")?.why).toBe("outcome");
    }
  });

  it("gives each distinct cause of one exception type a case: unknown vs expired code", () => {
    const picked = selectInputs(
      [
        ...Array.from({ length: 50 }, (_, i) =>
          ret([`SAVE${i}`, 5000 + i, "2026-11-25"], { off: i }, 60 - i),
        ),
        thr(["BOGUS", 5000, "2026-11-25"], "DiscountError", "unknown discount code BOGUS", 3),
        thr(["nope", 5100, "2026-11-25"], "DiscountError", "unknown discount code NOPE", 2),
        thr(["XMAS", 5000, "2026-11-25"], "DiscountError", "code XMAS expired on 2025-12-31", 1),
        thr(["SAVE25", 2800, "2026-11-25"], "DiscountError", "add 22.00 more to use SAVE25", 4),
      ],
      5,
    );
    const messages = picked.flatMap((p) =>
      p.outcomes.flatMap((o) => (o.outcome.kind === "throw" ? [o.outcome.message] : [])),
    );
    expect(messages).toHaveLength(3);
    expect(messages).toEqual(
      expect.arrayContaining([
        "add 22.00 more to use SAVE25",
        "code XMAS expired on 2025-12-31",
        expect.stringMatching(/^unknown discount code /),
      ]),
    );
    expect(picked.filter((p) => p.why === "cause")).toHaveLength(2);
  });

  it("blanks argument words and numbers in messages, keeping the rest", () => {
    expect(messageTemplate("unknown discount code BOGUS", '["bogus",5000]')).toBe(
      "unknown discount code …",
    );
    expect(messageTemplate("code XMAS expired on 2025-12-31", '["XMAS",5000,"2026-11-25"]')).toBe(
      "code … expired on #-#-#",
    );
  });

  it("with more classes than the cap, exception types win over extra return shapes, and says what was left out", () => {
    const samples = [
      ret(["a"], { total: 1 }, 500),
      ret(["b"], null, 300),
      ret(["c"], "text", 200),
      ret(["d"], [1, 2], 100),
      thr(["e"], "TypeError", "bad input", 1),
      thr(["f"], "RangeError", "out of range", 2),
      thr(["g"], "PaymentError", "card declined", 3),
    ];
    const { picked, omitted } = selectInputsWithSummary(samples, 4);
    expect(picked.map((p) => p.outcomeClass)).toEqual([
      "return:{total:number}",
      "throw:TypeError",
      "throw:RangeError",
      "throw:PaymentError",
    ]);
    expect(omitted).toEqual({
      inputs: 3,
      calls: 600,
      classes: ["return:[number]", "return:string", "return:null"],
    });
    // The same for the same samples in any order.
    expect(selectInputsWithSummary([...samples].reverse(), 4)).toEqual({ picked, omitted });
  });
});
