import { describe, expect, it } from "vitest";
import {
  deserialize,
  irreproducibleReason,
  serialize,
  toJsExpression,
} from "../../../src/instrument/serialize.ts";
import { createRedactor } from "../../../src/scenarios/redact.ts";

class Customer {
  constructor(
    public id: number,
    public tags: string[],
  ) {}
  greet(): string {
    return `hi ${this.id}`;
  }
}
class PaymentDeclinedError extends Error {
  constructor(
    message: string,
    public code: string,
  ) {
    super(message);
  }
}

/** Evaluates rendered test code the way a generated test file would. */
const evaluate = (source: string): unknown => new Function(`return (${source});`)();

describe("serialize / deserialize round trip", () => {
  const values: [string, unknown][] = [
    ["undefined vs null", [undefined, null]],
    ["-0, NaN, ±Infinity", [-0, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 0]],
    ["BigInt", [123456789012345678901234567890n, -1n]],
    ["Date (valid and invalid)", [new Date("2026-11-25T17:00:00.000Z"), new Date(Number.NaN)]],
    [
      "Buffer and typed arrays",
      [Buffer.from([0, 1, 255]), new Float64Array([1.5, -2]), new Uint16Array([65535])],
    ],
    [
      "Map and Set",
      [
        new Map<unknown, unknown>([
          ["a", 1],
          [2, new Set(["x", 3n])],
        ]),
      ],
    ],
    ["unicode and empty", ["", 'héllo 🌍 \u2028 "q"', {}, []]],
    ["a plain object with a $t key", { $t: "date", v: "not a tag" }],
    ["RegExp", /a+b/gi],
    ["__proto__ as a key", JSON.parse('{"__proto__": {"polluted": true}, "ok": 1}')],
  ];

  it.each(values)("%s", (_name, value) => {
    const text = serialize(value);
    expect(typeof text).toBe("string");
    expect(deserialize(text)).toStrictEqual(value);
    // The rendered expression rebuilds the same value in test code.
    expect(evaluate(toJsExpression(text))).toStrictEqual(value);
  });

  it("keeps -0 distinct from 0", () => {
    const [negZero] = deserialize(serialize([-0])) as number[];
    expect(Object.is(negZero, -0)).toBe(true);
  });

  it("keeps class instances' constructor name and own fields, not methods", () => {
    const text = serialize(new Customer(7, ["vip"]));
    expect(JSON.parse(text)).toEqual({
      $t: "instance",
      ctor: "Customer",
      v: { id: 7, tags: ["vip"] },
    });
    const back = deserialize(text) as { constructor: { name: string }; id: number };
    expect(back.constructor.name).toBe("Customer");
    expect(back.id).toBe(7);
    expect(evaluate(toJsExpression(text))).toEqual(new Customer(7, ["vip"]));
  });

  it("keeps error type, message and own fields", () => {
    const text = serialize(new PaymentDeclinedError("card declined", "do_not_honor"));
    const parsed = JSON.parse(text);
    expect(parsed).toMatchObject({
      $t: "error",
      ctor: "PaymentDeclinedError",
      message: "card declined",
    });
    expect(parsed.v).toEqual({ code: "do_not_honor" });
    const err = deserialize(text) as Error & { code: string };
    expect(err.message).toBe("card declined");
    expect(err.name).toBe("PaymentDeclinedError");
    expect(err.code).toBe("do_not_honor");
    const rebuilt = evaluate(toJsExpression(serialize(new RangeError("too big")))) as Error;
    expect(rebuilt).toBeInstanceOf(RangeError);
  });

  it("marks functions and symbols", () => {
    function onDone(): void {}
    const text = serialize({ cb: onDone, s: Symbol("k") });
    expect(JSON.parse(text)).toEqual({
      cb: { $t: "function", name: "onDone" },
      s: { $t: "symbol", description: "k" },
    });
    expect(irreproducibleReason(text)).toMatch(/function \(onDone\)/);
  });

  it("survives cycles and rebuilds them", () => {
    const order: Record<string, unknown> = { id: 1, lines: [] };
    (order.lines as unknown[]).push({ sku: "A", order });
    const text = serialize(order);
    expect(text).toContain('{"$t":"circular","path":"$"}');
    const back = deserialize(text) as { lines: { order: unknown }[] };
    expect(back.lines[0]?.order).toBe(back);
    expect(irreproducibleReason(text)).toMatch(/cycle/);
  });

  it("does not call getters", () => {
    let calls = 0;
    const value = Object.defineProperty({}, "expensive", {
      enumerable: true,
      get() {
        calls += 1;
        return 1;
      },
    });
    expect(JSON.parse(serialize(value))).toEqual({ expensive: { $t: "accessor" } });
    expect(calls).toBe(0);
  });

  it("records a value whose reading throws instead of throwing", () => {
    const hostile = new Proxy(
      {},
      {
        ownKeys() {
          throw new Error("no keys for you");
        },
      },
    );
    expect(JSON.parse(serialize([hostile]))).toEqual([
      { $t: "unreadable", type: "Object", error: "no keys for you" },
    ]);
  });
});

describe("limits", () => {
  it("cuts depth with a marker", () => {
    const deep = { a: { b: { c: { d: 1 } } } };
    expect(JSON.parse(serialize(deep, { maxDepth: 2 }))).toEqual({
      a: { b: { c: { $t: "truncated", reason: "depth", type: "Object" } } },
    });
  });

  it("cuts long arrays, objects and strings with markers", () => {
    const text = serialize(
      { list: [1, 2, 3, 4, 5], name: "abcdefghij", obj: { a: 1, b: 2, c: 3, d: 4 } },
      { maxItems: 3, maxStringLength: 4 },
    );
    expect(JSON.parse(text)).toEqual({
      list: [1, 2, 3, { $t: "more", count: 2 }],
      name: { $t: "string", v: "abcd", length: 10 },
      obj: { a: 1, b: 2, c: 3, $more: { $t: "more", count: 1 } },
    });
  });

  it("keeps the total size near the budget however big the input", () => {
    const huge = Array.from({ length: 10_000 }, (_, i) => ({ id: i, text: "x".repeat(200) }));
    const text = serialize(huge, { maxItems: 10_000, maxTotalLength: 4000 });
    expect(text.length).toBeLessThan(6000);
    expect(text).toMatch(/"\$t":"more","count":\d+\}\]$/);
  });

  it("renders cut values as matchers for expected results, and refuses them as arguments", () => {
    const text = serialize(
      { list: [1, 2, 3, 4], s: "abcdef" },
      { maxItems: 2, maxStringLength: 3 },
    );
    expect(irreproducibleReason(text)).toMatch(/cut/);
    expect(toJsExpression(text, { matchers: true })).toBe(
      '{ list: expect.arrayContaining([1, 2]), s: expect.stringContaining("abc") }',
    );
  });
});

describe("redaction while serialising", () => {
  it("redacts strings, sensitive keys, map values and text buffers", () => {
    const redactor = createRedactor({ key: "test" });
    const text = serialize(
      [
        {
          email: "ana@lopez.es",
          password: "hunter2",
          headers: new Map([["Authorization", "Bearer abc123def456"]]),
          body: Buffer.from('{"card":"4111 1111 1111 1111"}'),
          err: new Error("no account for ana@lopez.es"),
        },
      ],
      { redactor },
    );
    for (const secret of ["ana@lopez.es", "hunter2", "abc123def456", "4111 1111 1111 1111"]) {
      expect(text).not.toContain(secret);
    }
    const [value] = deserialize(text) as [Record<string, unknown>];
    expect(value.email).toMatch(/^user-[0-9a-f]{8}@example\.com$/);
    expect(String((value.body as Buffer).toString("utf8"))).toMatch(
      /"card":"4242 42\d\d \d{4} 1111"/,
    );
    expect((value.err as Error).message).toBe(`no account for ${value.email}`);
  });
});

describe("long strings", () => {
  it("redacts a secret straddling the length cut and stays fast on huge strings", () => {
    const redactor = createRedactor({ key: "test" });
    const text = `${"x".repeat(990)} mail ana.lopez@gmail.com ${"y".repeat(100)}`;
    const cut = JSON.parse(serialize(text, { redactor, maxStringLength: 1000 }));
    expect(cut.length).toBe(text.length);
    expect(cut.v).toHaveLength(1000);
    expect(cut.v).not.toContain("ana.lopez");
    expect(cut.v).not.toMatch(/ana|lopez/);

    const blob = Buffer.alloc(3_000_000, 7).toString("base64"); // 4 MB of text
    const started = performance.now();
    const out = JSON.parse(serialize({ blob }, { redactor }));
    expect(out.blob).toMatchObject({ $t: "string", length: blob.length });
    expect(performance.now() - started).toBeLessThan(1000);
  });
});
