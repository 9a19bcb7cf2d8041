import { readFileSync } from "node:fs";
import { isIPv4, isIPv6 } from "node:net";
import { describe, expect, it } from "vitest";
import {
  createRedactor,
  luhnValid,
  redactText,
  redactValue,
} from "../../../src/scenarios/redact.ts";

interface CorpusEntry {
  text: string;
  secrets: string[];
  keep: string[];
  stable?: boolean;
}
const corpus = JSON.parse(
  readFileSync(new URL("../../fixtures/scenarios/pii-corpus.json", import.meta.url), "utf8"),
) as { entries: CorpusEntry[] };

describe("redactText on the PII corpus", () => {
  it.each(corpus.entries.map((e, i) => [i, e] as const))("entry %i leaks nothing", (_i, entry) => {
    const out = redactText(entry.text);
    for (const secret of entry.secrets) expect(out).not.toContain(secret);
    for (const kept of entry.keep) expect(out).toContain(kept);
    // Placeholders are fixed points: the second redaction (before rendering) changes nothing.
    const again = redactText(out);
    if (entry.stable !== false) expect(again).toBe(out);
    for (const secret of entry.secrets) expect(again).not.toContain(secret);
  });

  it("is a fixed point under any key (placeholders never look like new secrets)", () => {
    const stable = corpus.entries.filter((e) => e.stable !== false);
    for (let k = 0; k < 200; k += 1) {
      const rules = { key: `key-${k}` };
      for (const entry of stable) {
        const once = redactText(entry.text, rules);
        expect(redactText(once, rules)).toBe(once);
      }
    }
  });

  it("has secrets to find (the corpus is not empty)", () => {
    expect(corpus.entries.flatMap((e) => e.secrets).length).toBeGreaterThan(40);
  });
});

describe("pseudonyms keep shape and consistency", () => {
  it("maps the same email to the same example.com address, keeping its capitalisation", () => {
    const a = redactText("from Jane.Doe@Acme.io");
    const b = redactText("to jane.doe@acme.io!");
    const email = /User-[0-9a-f]{8}@Example\.com/.exec(a)?.[0] ?? "?";
    expect(b).toBe(`to ${email.toLowerCase()}!`);
    expect(redactText("JANE.DOE@ACME.IO")).toBe(email.toUpperCase());
    expect(redactText("x@other.io")).not.toContain(email.toLowerCase());
  });

  it("turns a card into a Luhn-valid 424242 test card with the same layout and last four", () => {
    const out = redactText("card 5425-2334-3010-9903 paid");
    const card = /card (\S+) paid/.exec(out)?.[1] ?? "";
    expect(card).toMatch(/^4242-42\d\d-\d{4}-9903$/);
    expect(luhnValid(card.replace(/-/g, ""))).toBe(true);
    expect(redactText("again 5425233430109903")).toBe(`again ${card.replace(/-/g, "")}`);
  });

  it("leaves numbers that are not Luhn-valid cards alone", () => {
    expect(redactText("order 4111111111111112")).toBe("order 4111111111111112");
  });

  it("keeps IPs valid, in documentation ranges", () => {
    const v4 = redactText("81.2.69.160");
    expect(isIPv4(v4)).toBe(true);
    expect(v4).toMatch(/^(192\.0\.2|198\.51\.100|203\.0\.113)\./);
    const v6 = redactText("2a03:2880:f12f:83:face:b00c:0:25de");
    expect(isIPv6(v6)).toBe(true);
    expect(v6.startsWith("2001:db8::")).toBe(true);
    expect(redactText("127.0.0.1 ::1")).toBe("127.0.0.1 ::1");
  });

  it("keeps a JWT a decodable JWT without the original claims", () => {
    const jwt =
      "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIn0.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c";
    const out = redactText(jwt);
    const [, payload] = out.split(".");
    const claims = JSON.parse(Buffer.from(payload ?? "", "base64url").toString("utf8"));
    expect(claims.sub).toMatch(/^redacted-[0-9a-f]{8}$/);
    expect(out).not.toContain("SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c");
  });

  it("keeps a vendor token's prefix and length", () => {
    const token = "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";
    const out = redactText(token);
    expect(out).toMatch(/^ghp_redacted[0-9a-f]+$/);
    expect(out).toHaveLength(token.length);
  });

  it("is keyed: a different key gives different placeholders for the same secret", () => {
    const a = redactText("jane@acme.io", { key: "one" });
    const b = redactText("jane@acme.io", { key: "two" });
    expect(a).not.toBe(b);
    expect(redactText("jane@acme.io", { key: "one" })).toBe(a);
  });

  it("applies user rules: extra patterns and sensitive keys", () => {
    const rules = { patterns: [{ pattern: /CUST-\d{6}/ }], sensitiveKeys: ["loyalty"] };
    const out = redactText("customer CUST-004211 bought", rules);
    expect(out).toMatch(/^customer redacted-[0-9a-f]{8} bought$/);
    const value = redactValue({ loyaltyNumber: "LN-99", plan: "gold" }, rules);
    expect(value.loyaltyNumber).toMatch(/^redacted-/);
    expect(value.plan).toBe("gold");
  });
});

describe("redactValue", () => {
  class Customer {
    constructor(
      public email: string,
      public password: string,
    ) {}
  }

  it("replaces values under sensitive keys, keeps types, prototypes and cycles", () => {
    const input: Record<string, unknown> = {
      customer: new Customer("ana@lopez.es", "hunter2"),
      headers: new Map([
        ["authorization", "Bearer abc123def456ghi"],
        ["accept", "application/json"],
      ]),
      pin: 1234,
      card: 4111111111111111,
      credentials: { user: "ana", apiKey: "k-123" },
      tags: new Set(["vip", "ana@lopez.es"]),
      raw: Buffer.from("contact ana@lopez.es"),
      when: new Date("2026-01-02T03:04:05Z"),
      count: 3,
    };
    input.self = input;
    const out = redactValue(input);
    const customer = out.customer as Customer;
    expect(customer).toBeInstanceOf(Customer);
    expect(customer.email).toMatch(/^user-[0-9a-f]{8}@example\.com$/);
    expect(customer.password).toMatch(/^redacted-[0-9a-f]{8}$/);
    const headers = out.headers as Map<string, string>;
    expect(headers.get("authorization")).toMatch(/^Bearer redacted-[0-9a-f]{8}$/);
    expect(headers.get("accept")).toBe("application/json");
    expect(typeof out.pin).toBe("number");
    expect(out.pin).not.toBe(1234);
    expect(String(out.pin)).toHaveLength(4);
    expect(luhnValid(String(out.card))).toBe(true);
    expect(out.card).not.toBe(4111111111111111);
    expect(out.credentials).toEqual({
      user: expect.stringMatching(/^redacted-/),
      apiKey: expect.stringMatching(/^redacted-/),
    });
    expect([...(out.tags as Set<string>)]).toEqual(["vip", customer.email]);
    expect((out.raw as Buffer).toString("utf8")).toBe(`contact ${customer.email}`);
    expect(out.when).toEqual(new Date("2026-01-02T03:04:05Z"));
    expect(out.count).toBe(3);
    expect(out.self).toBe(out);
    // The input is not mutated.
    expect((input.customer as Customer).password).toBe("hunter2");
  });

  it("redacts error messages and stacks", () => {
    const err = new TypeError("no user bob@corp.com");
    const out = redactValue(err);
    expect(out).toBeInstanceOf(TypeError);
    expect(out.message).toMatch(/^no user user-[0-9a-f]{8}@example\.com$/);
    expect(out.stack).not.toContain("bob@corp.com");
  });
});

describe("createRedactor().collect", () => {
  it("records the secrets it replaced, not the key words around them", () => {
    const redactor = createRedactor({ key: "k" });
    const seen = new Set<string>();
    redactor.collect(seen);
    redactor.text("password=hunter2 Authorization: Bearer abcDEF123456 mail ana@lopez.es");
    redactor.text("postgres://app:S3cret!@db:5432/x");
    redactor.collect(null);
    redactor.text("other@mail.io");
    expect([...seen].sort()).toEqual(["S3cret!", "abcDEF123456", "ana@lopez.es", "app", "hunter2"]);
  });
});

describe("redactText on long text", () => {
  it("stays linear: a 200 KB base64 blob and a 200 KB digit run redact quickly", () => {
    const blob = Buffer.from(Array.from({ length: 150_000 }, (_, i) => (i * 7919) % 256)).toString(
      "base64",
    );
    const digits = "1234567890".repeat(20_000);
    const started = performance.now();
    redactText(`data=${blob} mail a@b.co`);
    redactText(digits);
    // Quadratic patterns took minutes here; linear ones take milliseconds (slack for loaded CI).
    expect(performance.now() - started).toBeLessThan(3000);
  });
});
