/**
 * Tagged-JSON serialisation of captured arguments and results. Runs inside users'
 * services, so it imports nothing beyond Node built-ins and the redactor.
 *
 * Format: plain JSON for what JSON can hold — strings, booleans, null, finite numbers
 * (not -0), arrays, plain objects. Everything else is an object with a `$t` tag:
 *
 *   {"$t":"undefined"}                      {"$t":"number","v":"NaN"|"Infinity"|"-Infinity"|"-0"}
 *   {"$t":"bigint","v":"123"}               {"$t":"date","v":"2026-01-02T03:04:05.000Z"|null}
 *   {"$t":"buffer","v":"<base64>"}          {"$t":"typed","ctor":"Float64Array","v":"<base64>"}
 *   {"$t":"arraybuffer","v":"<base64>"}     {"$t":"regexp","source":"a+","flags":"gi"}
 *   {"$t":"map","v":[[k,v],...]}            {"$t":"set","v":[...]}
 *   {"$t":"instance","ctor":"Customer","v":{own enumerable fields}}
 *   {"$t":"error","ctor":"TypeError","message":"...","v":{other own fields}}
 *   {"$t":"function","name":"f"}            {"$t":"symbol","description":"s"|null}
 *   {"$t":"circular","path":"$[0].parent"}  a reference to an enclosing value
 *   {"$t":"object","v":{...}}               a plain object that itself has a `$t` key
 *   {"$t":"string","v":"prefix","length":N} a string cut at `maxStringLength`
 *   {"$t":"more","count":N}                 last item of an array/map/set/object cut at `maxItems`
 *   {"$t":"truncated","reason":"depth"|"size","type":"Object"}
 *   {"$t":"unreadable","type":"Proxy","error":"..."}   a value whose reading threw
 *   {"$t":"accessor"}                       an own getter, not invoked (no side effects)
 *   {"$t":"derived"}                        a result string made from redacted input (see `derivedFrom`)
 */
import type { Redactor } from "../scenarios/redact.ts";

export interface SerializeLimits {
  /** Nesting depth below the top value; deeper values become `truncated` markers. */
  maxDepth?: number;
  /** Items kept per array, map, set or object. */
  maxItems?: number;
  /** Characters kept per string. */
  maxStringLength?: number;
  /** Approximate size budget of the whole output, in characters. */
  maxTotalLength?: number;
  /** Redacts strings and values under sensitive keys while walking (capture-time redaction). */
  redactor?: Redactor;
  /**
   * Originals redacted from the call's arguments. A result string still holding a piece of
   * one (`"j.smith"` from `j.smith@corp.com`) is personal data the patterns cannot see and
   * could not be reproduced from the redacted input: it becomes `{"$t":"derived"}`.
   */
  derivedFrom?: ReadonlySet<string>;
}

export const DEFAULT_LIMITS: Required<Omit<SerializeLimits, "redactor" | "derivedFrom">> = {
  maxDepth: 8,
  maxItems: 50,
  maxStringLength: 1000,
  maxTotalLength: 8192,
};

export type Tagged = null | boolean | number | string | Tagged[] | { [key: string]: Tagged };

/** Characters past `maxStringLength` still redacted before cutting (longest secret kept whole). */
const CUT_MARGIN = 256;

const isPlainPrototype = (proto: unknown): boolean => proto === Object.prototype || proto === null;

class Walker {
  readonly #limits: Required<Omit<SerializeLimits, "redactor" | "derivedFrom">>;
  readonly #redactor: Redactor | undefined;
  readonly #derivedTokens: string[];
  #budget: number;
  readonly #path = new Map<object, string>();

  constructor(limits: SerializeLimits | undefined) {
    this.#limits = { ...DEFAULT_LIMITS, ...stripUndefined(limits) };
    this.#redactor = limits?.redactor;
    this.#derivedTokens = derivedTokens(limits?.derivedFrom);
    this.#budget = this.#limits.maxTotalLength;
  }

  walk(value: unknown, depth: number, path: string, sensitive: boolean): Tagged {
    if (this.#budget <= 0) return { $t: "truncated", reason: "size", type: typeName(value) };
    this.#budget -= 4;
    if (sensitive && this.#redactor && (typeof value !== "object" || value === null)) {
      value = this.#redactor.sensitiveValue(value);
    }
    switch (typeof value) {
      case "undefined":
        return { $t: "undefined" };
      case "boolean":
        return value;
      case "number":
        return this.#number(value);
      case "bigint":
        return { $t: "bigint", v: value.toString() };
      case "string": {
        // Redact a bounded prefix: the margin keeps a secret that straddles the cut whole
        // for the patterns, and the cost stays bounded however long the string.
        const bounded =
          value.length > this.#limits.maxStringLength + CUT_MARGIN
            ? value.slice(0, this.#limits.maxStringLength + CUT_MARGIN)
            : value;
        const text = this.#redactor ? this.#redactor.text(bounded) : bounded;
        if (isDerived(text, this.#derivedTokens)) return { $t: "derived" };
        return this.#string(text, value.length, bounded !== value);
      }
      case "symbol":
        return { $t: "symbol", description: value.description ?? null };
      case "function":
        return { $t: "function", name: value.name };
    }
    if (value === null) return null;
    const object = value as object;
    const ancestor = this.#path.get(object);
    if (ancestor !== undefined) return { $t: "circular", path: ancestor };
    if (depth > this.#limits.maxDepth) {
      return { $t: "truncated", reason: "depth", type: typeName(object) };
    }
    this.#path.set(object, path);
    try {
      return this.#object(object, depth, path, sensitive);
    } catch (error) {
      return {
        $t: "unreadable",
        type: typeName(object),
        error: error instanceof Error ? error.message : String(error),
      };
    } finally {
      this.#path.delete(object);
    }
  }

  #number(value: number): Tagged {
    if (Number.isNaN(value)) return { $t: "number", v: "NaN" };
    if (value === Number.POSITIVE_INFINITY) return { $t: "number", v: "Infinity" };
    if (value === Number.NEGATIVE_INFINITY) return { $t: "number", v: "-Infinity" };
    if (Object.is(value, -0)) return { $t: "number", v: "-0" };
    const shown = this.#redactor ? this.#redactor.number(value) : value;
    this.#budget -= 8;
    return shown;
  }

  /** `value`, or its first characters with the original length when it is (or was) too long. */
  #string(value: string, originalLength = value.length, cut = false): Tagged {
    const max = Math.min(this.#limits.maxStringLength, Math.max(this.#budget, 16));
    if (value.length <= max && !cut) {
      this.#budget -= value.length;
      return value;
    }
    this.#budget -= max;
    return { $t: "string", v: value.slice(0, max), length: originalLength };
  }

  #object(value: object, depth: number, path: string, sensitive: boolean): Tagged {
    if (Array.isArray(value)) {
      const out: Tagged[] = [];
      const n = Math.min(value.length, this.#limits.maxItems);
      let i = 0;
      for (; i < n && this.#budget > 0; i += 1) {
        out.push(this.walk(value[i], depth + 1, `${path}[${i}]`, sensitive));
      }
      if (value.length > i) out.push({ $t: "more", count: value.length - i });
      return out;
    }
    if (value instanceof Date) {
      const time = value.getTime();
      return { $t: "date", v: Number.isNaN(time) ? null : value.toISOString() };
    }
    if (value instanceof RegExp) {
      return { $t: "regexp", source: this.#text(value.source), flags: value.flags };
    }
    if (ArrayBuffer.isView(value)) return this.#bytes(value, sensitive);
    if (value instanceof ArrayBuffer) {
      return { $t: "arraybuffer", v: this.#base64(new Uint8Array(value), sensitive) };
    }
    if (value instanceof Map) {
      const entries: Tagged[] = [];
      let i = 0;
      for (const [k, v] of value) {
        if (i === this.#limits.maxItems || this.#budget <= 0) {
          entries.push({ $t: "more", count: value.size - i });
          break;
        }
        const keySensitive =
          sensitive || (typeof k === "string" && this.#redactor?.sensitiveKey(k) === true);
        entries.push([
          this.walk(k, depth + 1, `${path}.keys[${i}]`, false),
          this.walk(v, depth + 1, `${path}.get(${i})`, keySensitive),
        ]);
        i += 1;
      }
      return { $t: "map", v: entries };
    }
    if (value instanceof Set) {
      const items: Tagged[] = [];
      let i = 0;
      for (const v of value) {
        if (i === this.#limits.maxItems || this.#budget <= 0) {
          items.push({ $t: "more", count: value.size - i });
          break;
        }
        items.push(this.walk(v, depth + 1, `${path}.values[${i}]`, sensitive));
        i += 1;
      }
      return { $t: "set", v: items };
    }
    if (value instanceof Error) {
      const fields = this.#fields(value, depth, path, sensitive, ["message", "stack"]);
      return {
        $t: "error",
        ctor: constructorName(value) ?? "Error",
        message: this.#text(value.message),
        v: fields,
      };
    }
    const fields = this.#fields(value, depth, path, sensitive, []);
    const proto = Object.getPrototypeOf(value);
    if (isPlainPrototype(proto)) {
      return Object.hasOwn(fields, "$t") ? { $t: "object", v: fields } : fields;
    }
    return { $t: "instance", ctor: constructorName(value) ?? "Object", v: fields };
  }

  #fields(
    value: object,
    depth: number,
    path: string,
    sensitive: boolean,
    skip: string[],
  ): { [key: string]: Tagged } {
    const out: { [key: string]: Tagged } = {};
    const keys = Object.keys(value).filter((k) => !skip.includes(k));
    const n = Math.min(keys.length, this.#limits.maxItems);
    let i = 0;
    for (; i < n && this.#budget > 0; i += 1) {
      const key = keys[i] as string;
      const descriptor = Object.getOwnPropertyDescriptor(value, key);
      const childPath = /^[A-Za-z_$][\w$]*$/.test(key)
        ? `${path}.${key}`
        : `${path}[${JSON.stringify(key)}]`;
      this.#budget -= key.length + 4;
      const childSensitive = sensitive || this.#redactor?.sensitiveKey(key) === true;
      const child: Tagged =
        descriptor && !("value" in descriptor)
          ? { $t: "accessor" }
          : this.walk(descriptor?.value, depth + 1, childPath, childSensitive);
      // A `__proto__` key must stay a key: assignment would set the prototype.
      if (key === "__proto__") {
        Object.defineProperty(out, key, {
          value: child,
          enumerable: true,
          writable: true,
          configurable: true,
        });
      } else {
        out[key] = child;
      }
    }
    if (keys.length > i) out.$more = { $t: "more", count: keys.length - i };
    return out;
  }

  #text(value: string): string {
    const text = this.#redactor ? this.#redactor.text(value) : value;
    this.#budget -= text.length;
    return text.length > this.#limits.maxStringLength
      ? text.slice(0, this.#limits.maxStringLength)
      : text;
  }

  #bytes(view: ArrayBufferView, sensitive: boolean): Tagged {
    const bytes = new Uint8Array(view.buffer, view.byteOffset, view.byteLength);
    if (Buffer.isBuffer(view)) return { $t: "buffer", v: this.#base64(bytes, sensitive) };
    return {
      $t: "typed",
      ctor: constructorName(view) ?? "Uint8Array",
      v: this.#base64(bytes, sensitive),
    };
  }

  /** Base64 hides text from pattern redaction, so UTF-8 text is redacted before encoding. */
  #base64(bytes: Uint8Array, sensitive: boolean): Tagged {
    let data = bytes;
    if (this.#redactor) {
      if (sensitive) {
        data = new Uint8Array(bytes.length);
      } else {
        const text = decodeUtf8(bytes);
        if (text !== null) {
          const redacted = this.#redactor.text(text);
          if (redacted !== text) data = new Uint8Array(Buffer.from(redacted, "utf8"));
        }
      }
    }
    const maxBytes = Math.floor((this.#limits.maxStringLength * 3) / 4);
    if (data.length > maxBytes) {
      this.#budget -= this.#limits.maxStringLength;
      return {
        $t: "string",
        v: Buffer.from(data.subarray(0, maxBytes)).toString("base64"),
        length: data.length,
      };
    }
    const encoded = Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString("base64");
    this.#budget -= encoded.length;
    return encoded;
  }
}

/** Words too common in addresses to mark a result as derived from one. */
const COMMON_TOKENS = new Set([
  "com",
  "net",
  "org",
  "edu",
  "gov",
  "mail",
  "gmail",
  "yahoo",
  "hotmail",
  "outlook",
  "icloud",
  "example",
  "user",
  "admin",
  "info",
  "contact",
  "the",
  "and",
  "http",
  "https",
  "www",
]);

/** Distinctive pieces of redacted originals: words of 3+ letters, digit runs of 6+. */
export function derivedTokens(secrets: ReadonlySet<string> | undefined): string[] {
  if (!secrets || secrets.size === 0) return [];
  const tokens = new Set<string>();
  for (const secret of secrets) {
    for (const token of secret.toLowerCase().split(/[^\p{L}\p{N}]+/u)) {
      const digits = /^\d+$/.test(token);
      if (
        (digits && token.length >= 6) ||
        (!digits && token.length >= 3 && !COMMON_TOKENS.has(token))
      ) {
        tokens.add(token);
      }
    }
  }
  return [...tokens];
}

/** True when `text` holds a piece of a redacted original (see `derivedFrom`). */
export function isDerived(text: string, tokens: readonly string[]): boolean {
  if (tokens.length === 0 || text.length < 3) return false;
  const lower = text.toLowerCase();
  return tokens.some((token) => lower.includes(token));
}

function decodeUtf8(bytes: Uint8Array): string | null {
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    return null;
  }
}

function stripUndefined(limits: SerializeLimits | undefined): Partial<SerializeLimits> {
  const out: Partial<SerializeLimits> = {};
  if (!limits) return out;
  if (limits.maxDepth !== undefined) out.maxDepth = limits.maxDepth;
  if (limits.maxItems !== undefined) out.maxItems = limits.maxItems;
  if (limits.maxStringLength !== undefined) out.maxStringLength = limits.maxStringLength;
  if (limits.maxTotalLength !== undefined) out.maxTotalLength = limits.maxTotalLength;
  return out;
}

function constructorName(value: object): string | null {
  try {
    const ctor = (value as { constructor?: unknown }).constructor;
    return typeof ctor === "function" && ctor.name ? ctor.name : null;
  } catch {
    return null;
  }
}

function typeName(value: unknown): string {
  if (value === null) return "null";
  if (typeof value !== "object") return typeof value;
  if (Array.isArray(value)) return "Array";
  return constructorName(value) ?? "Object";
}

/**
 * Serialises any value to tagged JSON (format above), within the limits, redacting
 * while it walks when `limits.redactor` is given.
 *
 * @example serialize([1n, undefined, new Map([["a", -0]])])
 * // '[{"$t":"bigint","v":"1"},{"$t":"undefined"},{"$t":"map","v":[["a",{"$t":"number","v":"-0"}]]}]'
 */
export function serialize(value: unknown, limits?: SerializeLimits): string {
  return JSON.stringify(new Walker(limits).walk(value, 0, "$", false));
}

/** Parses the tagged JSON into its tree (no reconstruction). */
export function parseTagged(serialized: string): Tagged {
  return JSON.parse(serialized) as Tagged;
}

export const isTag = (node: Tagged): node is { $t: Tagged; [key: string]: Tagged } =>
  node !== null && typeof node === "object" && !Array.isArray(node) && typeof node.$t === "string";

export { deserialize } from "./deserialize.ts";
export { irreproducibleReason, NotReproducibleError, toJsExpression } from "./to-js-expression.ts";
