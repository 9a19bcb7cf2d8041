import { context, SpanStatusCode, trace } from "@opentelemetry/api";
import {
  InMemorySpanExporter,
  NodeTracerProvider,
  type ReadableSpan,
  SimpleSpanProcessor,
} from "@opentelemetry/sdk-trace-node";
import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { DERIVED_MESSAGE, instrument, instrumentModule } from "../../../src/instrument/index.ts";
import { deserialize } from "../../../src/instrument/serialize.ts";
import { samplesFromSpans } from "../../../src/scenarios/samples-from-spans.ts";
import { ATTR } from "../../../src/telemetry/attribute-names.ts";

const exporter = new InMemorySpanExporter();
const provider = new NodeTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
provider.register();

afterAll(async () => {
  await provider.shutdown();
  trace.disable();
  context.disable();
});
beforeEach(() => exporter.reset());

const spans = (): ReadableSpan[] => exporter.getFinishedSpans();
const only = (): ReadableSpan => {
  const all = spans();
  expect(all).toHaveLength(1);
  return all[0] as ReadableSpan;
};

class OutOfStockError extends Error {}

describe("instrument", () => {
  it("records code attributes on every call and args/outcome on sampled calls", () => {
    const add = instrument(
      (a: number, b: number) => a + b,
      { name: "add", file: "src/math.js", line: 3 },
      { sampleRate: 1 },
    );
    expect(add(2, 3)).toBe(5);
    const span = only();
    expect(span.name).toBe("add");
    expect(span.attributes).toMatchObject({
      [ATTR.functionName]: "add",
      [ATTR.filePath]: "src/math.js",
      [ATTR.lineNumber]: 3,
      [ATTR.outcome]: "return",
    });
    expect(deserialize(String(span.attributes[ATTR.args]))).toEqual([2, 3]);
    expect(deserialize(String(span.attributes[ATTR.result]))).toBe(5);
  });

  it("captures nothing but the span when sampled out", () => {
    const add = instrument(
      (a: number) => a + 1,
      { name: "inc", file: "src/math.js" },
      { sampleRate: 0 },
    );
    add(1);
    const span = only();
    expect(span.attributes[ATTR.functionName]).toBe("inc");
    expect(span.attributes[ATTR.args]).toBeUndefined();
    expect(span.attributes[ATTR.outcome]).toBeUndefined();
  });

  it("reads the sample rate from FAULTLINE_SAMPLE_RATE", () => {
    process.env.FAULTLINE_SAMPLE_RATE = "1";
    try {
      const id = instrument((x: string) => x, { name: "id", file: "src/id.js" });
      id("x");
      expect(only().attributes[ATTR.args]).toBe('["x"]');
    } finally {
      delete process.env.FAULTLINE_SAMPLE_RATE;
    }
  });

  it("samples about the configured share of calls", () => {
    const f = instrument(() => 1, { name: "f", file: "f.js" }, { sampleRate: 0.25 });
    for (let i = 0; i < 2000; i += 1) f();
    const sampled = spans().filter((s) => s.attributes[ATTR.args] !== undefined).length;
    expect(sampled).toBeGreaterThan(350);
    expect(sampled).toBeLessThan(650);
  });

  it("records a throw: redacted exception event, ERROR status, type and message", () => {
    const reserve = instrument(
      (sku: string, email: string) => {
        throw new OutOfStockError(`no ${sku} left for ${email}`);
      },
      { name: "reserve", file: "src/stock.js" },
      { sampleRate: 1 },
    );
    expect(() => reserve("SKU-1", "ana@lopez.es")).toThrow(OutOfStockError);
    const span = only();
    expect(span.status.code).toBe(SpanStatusCode.ERROR);
    expect(span.attributes[ATTR.outcome]).toBe("throw");
    expect(span.attributes[ATTR.errorType]).toBe("OutOfStockError");
    const message = String(span.attributes[ATTR.errorMessage]);
    expect(message).toMatch(/^no SKU-1 left for user-[0-9a-f]{8}@example\.com$/);
    const event = span.events.find((e) => e.name === "exception");
    expect(event?.attributes?.["exception.type"]).toBe("OutOfStockError");
    expect(event?.attributes?.["exception.message"]).toBe(message);
    expect(String(event?.attributes?.["exception.stacktrace"])).not.toContain("ana@lopez.es");
    // The same email is the same pseudonym in the arguments.
    const [, email] = deserialize(String(span.attributes[ATTR.args])) as string[];
    expect(message.endsWith(email ?? "?")).toBe(true);
  });

  it("awaits promises for the outcome and returns the caller's own promise", async () => {
    const fetchUser = instrument(
      async (id: number) => {
        await new Promise((r) => setTimeout(r, 5));
        if (id < 0) throw new RangeError("bad id");
        return { id, name: "Ana" };
      },
      { name: "fetchUser", file: "src/users.js" },
      { sampleRate: 1 },
    );
    const pending = fetchUser(1);
    expect(spans()).toHaveLength(0); // not ended before the promise settles
    await expect(pending).resolves.toEqual({ id: 1, name: "Ana" });
    await expect(fetchUser(-1)).rejects.toThrow(RangeError);
    const [ok, failed] = spans();
    expect(deserialize(String(ok?.attributes[ATTR.result]))).toEqual({ id: 1, name: "Ana" });
    expect(failed?.attributes[ATTR.errorType]).toBe("RangeError");
    expect(failed?.status.code).toBe(SpanStatusCode.ERROR);
  });

  it("keeps this, name, length, static properties and new", () => {
    function Counter(this: { n: number }, start: number, _step: number) {
      this.n = start;
    }
    Counter.label = "counter";
    const Wrapped = instrument(Counter, { name: "Counter", file: "c.js" }, { sampleRate: 1 });
    expect(Wrapped.name).toBe("Counter");
    expect(Wrapped.length).toBe(2);
    expect(Wrapped.label).toBe("counter");
    const c = new (Wrapped as unknown as new (a: number, b: number) => { n: number })(4, 1);
    expect(c.n).toBe(4);
    expect(c).toBeInstanceOf(Counter);
    const obj = {
      base: 10,
      plus: instrument(
        function (this: { base: number }, x: number) {
          return this.base + x;
        },
        { name: "obj.plus", file: "o.js" },
      ),
    };
    expect(obj.plus(5)).toBe(15);
  });

  it("nests spans: an instrumented call inside another is its child", () => {
    const inner = instrument(() => 1, { name: "inner", file: "a.js" });
    const outer = instrument(() => inner() + 1, { name: "outer", file: "a.js" });
    outer();
    const [innerSpan, outerSpan] = spans();
    expect(innerSpan?.parentSpanContext?.spanId).toBe(outerSpan?.spanContext().spanId);
  });

  it("redacts at capture: arguments and results never carry the secret", () => {
    const login = instrument(
      (user: { email: string; password: string }) => ({
        ok: true,
        token: "tok_9f86d081884c7d659a2f",
        user: user.email,
      }),
      { name: "login", file: "src/auth.js" },
      { sampleRate: 1 },
    );
    login({ email: "ana@lopez.es", password: "hunter2" });
    const attrs = JSON.stringify(only().attributes);
    for (const secret of ["ana@lopez.es", "hunter2", "tok_9f86d081884c7d659a2f"]) {
      expect(attrs).not.toContain(secret);
    }
  });

  it("never breaks the call when capture fails", () => {
    const hostile = new Proxy(
      {},
      {
        ownKeys: () => {
          throw new Error("boom");
        },
      },
    );
    const f = instrument((x: unknown) => x, { name: "f", file: "f.js" }, { sampleRate: 1 });
    expect(f(hostile)).toBe(hostile);
    expect(only().attributes[ATTR.args]).toContain("unreadable");
  });
});

describe("instrumentModule", () => {
  it("wraps exported functions, object-literal methods and class methods with Faultline names", () => {
    class Cart {
      items: number[] = [];
      add(price: number) {
        this.items.push(price);
        return this.items.length;
      }
      static empty() {
        return new Cart();
      }
    }
    const mod = {
      total: (prices: number[]) => prices.reduce((a, b) => a + b, 0),
      format: { money: (cents: number) => `$${(cents / 100).toFixed(2)}` },
      Cart,
      VERSION: "1.0",
    };
    const wrapped = instrumentModule(mod, { file: "src/cart.js" }, { sampleRate: 1 });
    expect(wrapped.total([1, 2])).toBe(3);
    expect(wrapped.format.money(250)).toBe("$2.50");
    const cart = wrapped.Cart.empty();
    expect(cart).toBeInstanceOf(Cart);
    expect(cart.add(5)).toBe(1);
    expect(wrapped.VERSION).toBe("1.0");
    expect(spans().map((s) => s.attributes[ATTR.functionName])).toEqual([
      "total",
      "format.money",
      "Cart.empty",
      "Cart.add",
    ]);
    // Wrapping twice does not double-wrap.
    instrumentModule(wrapped, { file: "src/cart.js" }, { sampleRate: 1 }).total([1]);
    expect(spans()).toHaveLength(5);
  });

  it("feeds samplesFromSpans: one sample per distinct input and outcome, counted", () => {
    const { parse } = instrumentModule(
      {
        parse: (s: string) => {
          if (s === "") throw new SyntaxError("empty");
          return Number(s);
        },
      },
      { file: "file:///srv/app/src/parse.js" },
      { sampleRate: 1 },
    );
    parse("1");
    parse("1");
    parse("2");
    expect(() => parse("")).toThrow();
    const samples = samplesFromSpans(spans(), (p) => p.replace(/^\/srv\/app\//, ""));
    expect(samples.map((s) => [s.key.file, s.key.name, s.args, s.outcome, s.count])).toEqual([
      ["src/parse.js", "parse", '["1"]', { kind: "return", value: "1" }, 2],
      [
        "src/parse.js",
        "parse",
        '[""]',
        { kind: "throw", type: "SyntaxError", message: "empty" },
        1,
      ],
      ["src/parse.js", "parse", '["2"]', { kind: "return", value: "2" }, 1],
    ]);
  });
});

describe("results derived from redacted input", () => {
  it("marks result strings and messages holding pieces of redacted arguments", () => {
    const displayName = instrument(
      (user: { email: string }) => ({ handle: user.email.split("@")[0], plan: "pro" }),
      { name: "displayName", file: "src/users.js" },
      { sampleRate: 1 },
    );
    displayName({ email: "maria.garcia@gmail.com" });
    const span = only();
    const result = JSON.parse(String(span.attributes[ATTR.result]));
    // "maria.garcia" is personal data the patterns cannot see, and not reproducible from
    // the pseudonymised input: it is marked, not shown.
    expect(result).toEqual({ handle: { $t: "derived" }, plan: "pro" });
    expect(JSON.stringify(span.attributes)).not.toContain("maria");
  });

  it("replaces a derived error message in the attributes and the exception event", () => {
    const lookup = instrument(
      (email: string) => {
        throw new Error(`no account for ${email.split("@")[0]}`);
      },
      { name: "lookup", file: "src/users.js" },
      { sampleRate: 1 },
    );
    expect(() => lookup("j.smith@corp.example.org.uk")).toThrow();
    const span = only();
    expect(span.attributes[ATTR.errorMessage]).toBe(DERIVED_MESSAGE);
    expect(JSON.stringify(span.events)).not.toContain("smith");
  });
});
