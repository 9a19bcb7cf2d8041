import { isTag, parseTagged, type Tagged } from "./serialize.ts";

export interface JsExpressionOptions {
  /**
   * Render as an expected value: parts that cannot be compared exactly (functions, symbols,
   * cut or circular values, now-ish Dates) become `expect.*` matchers, cut collections
   * become `expect.objectContaining` / `arrayContaining`.
   */
  matchers?: boolean;
  /** With `matchers`: Dates within this many ms of `now` match any Date (values made from the clock). */
  clock?: { now: number; toleranceMs: number };
  /**
   * Arguments mode: a function name in scope of the generated code, called as
   * `name("ClassName", { ...fields })` to rebuild class instances.
   */
  instanceFactory?: string;
  /** With `matchers`: strings for which this is true match any string (generated ids, clock times). */
  volatileString?: (value: string) => boolean;
}

/** A serialised value that cannot be rebuilt faithfully in test code. */
export class NotReproducibleError extends Error {
  constructor(readonly reason: string) {
    super(reason);
    this.name = "NotReproducibleError";
  }
}

const GLOBAL_ERRORS = new Set([
  "Error",
  "TypeError",
  "RangeError",
  "SyntaxError",
  "ReferenceError",
  "EvalError",
  "URIError",
]);
const TYPED = new Set([
  "Uint8Array",
  "Int8Array",
  "Uint8ClampedArray",
  "Uint16Array",
  "Int16Array",
  "Uint32Array",
  "Int32Array",
  "Float32Array",
  "Float64Array",
  "BigInt64Array",
  "BigUint64Array",
]);

const SPECIAL_NUMBERS = new Set(["NaN", "Infinity", "-Infinity", "-0"]);
const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;
const str = (s: string): string => JSON.stringify(s);
const key = (k: string): string =>
  k === "__proto__" ? `[${str(k)}]` : IDENTIFIER.test(k) ? k : str(k);

/**
 * JavaScript source that rebuilds a serialised value, for rendered test files.
 * Throws `NotReproducibleError` (arguments mode) when the value holds something a test
 * cannot recreate: a function, a cycle, a cut (truncated) part, an unreadable value.
 *
 * @example toJsExpression('[1,{"$t":"bigint","v":"2"}]') // "[1, 2n]"
 */
export function toJsExpression(serialized: string, options: JsExpressionOptions = {}): string {
  return render(parseTagged(serialized), options);
}

/** Why a serialised value cannot be rebuilt as an argument, or null when it can. */
export function irreproducibleReason(serialized: string): string | null {
  try {
    toJsExpression(serialized);
    return null;
  } catch (error) {
    if (error instanceof NotReproducibleError) return error.reason;
    throw error;
  }
}

function render(node: Tagged, o: JsExpressionOptions): string {
  if (node === null) return "null";
  if (typeof node === "string") {
    if (o.matchers && o.volatileString?.(node)) return "expect.any(String)";
    return str(node);
  }
  if (typeof node === "number" || typeof node === "boolean") return String(node);
  if (Array.isArray(node)) {
    const more = node.some((item) => isTag(item) && item.$t === "more");
    const items = node.filter((item) => !(isTag(item) && item.$t === "more"));
    if (more && !o.matchers) throw new NotReproducibleError("an array was cut at the item limit");
    const list = `[${items.map((item) => render(item, o)).join(", ")}]`;
    return more ? `expect.arrayContaining(${list})` : list;
  }
  if (!isTag(node)) return objectLiteral(node, o);
  const v = node.v;
  switch (node.$t) {
    case "undefined":
      return "undefined";
    // Tag payloads come from telemetry: only known-safe spellings reach the generated code.
    case "number":
      if (!SPECIAL_NUMBERS.has(String(v))) throw new NotReproducibleError("malformed number tag");
      return String(v);
    case "bigint":
      if (!/^-?\d+$/.test(String(v))) throw new NotReproducibleError("malformed bigint tag");
      return `${String(v)}n`;
    case "date": {
      if (v === null) return "new Date(Number.NaN)";
      const time = Date.parse(String(v));
      if (o.matchers && o.clock && Math.abs(time - o.clock.now) <= o.clock.toleranceMs) {
        return "expect.any(Date)";
      }
      return `new Date(${str(String(v))})`;
    }
    case "regexp":
      if (!/^[dgimsuvy]*$/.test(String(node.flags))) {
        throw new NotReproducibleError("malformed regexp flags");
      }
      return `new RegExp(${str(String(node.source))}, ${str(String(node.flags))})`;
    case "buffer":
      return `Buffer.from(${str(String(v))}, "base64")`;
    case "arraybuffer":
      return `new Uint8Array(Buffer.from(${str(String(v))}, "base64")).buffer`;
    case "typed": {
      const ctor = String(node.ctor);
      const bytes = `new Uint8Array(Buffer.from(${str(String(v))}, "base64")).buffer`;
      if (ctor === "DataView") return `new DataView(${bytes})`;
      return `new ${TYPED.has(ctor) ? ctor : "Uint8Array"}(${bytes})`;
    }
    case "map": {
      const entries = (v as Tagged[]).filter((e) => Array.isArray(e));
      const cut = (v as Tagged[]).length !== entries.length;
      if (cut && !o.matchers) throw new NotReproducibleError("a Map was cut at the item limit");
      const body = entries
        .map((e) => {
          const [k, val] = e as Tagged[];
          return `[${render(k ?? null, o)}, ${render(val ?? null, o)}]`;
        })
        .join(", ");
      return cut ? "expect.any(Map)" : `new Map([${body}])`;
    }
    case "set": {
      const items = (v as Tagged[]).filter((item) => !(isTag(item) && item.$t === "more"));
      const cut = (v as Tagged[]).length !== items.length;
      if (cut && !o.matchers) throw new NotReproducibleError("a Set was cut at the item limit");
      return cut ? "expect.any(Set)" : `new Set([${items.map((i) => render(i, o)).join(", ")}])`;
    }
    case "object":
      return objectLiteral(v as { [key: string]: Tagged }, o);
    case "instance": {
      const fields = objectLiteral(v as { [key: string]: Tagged }, o);
      // Methods are not captured. As an argument, `instanceFactory` can rebuild it on the
      // module's own class; otherwise the fields go on a plain object, which toEqual
      // compares by fields and duck-typed code accepts.
      if (!o.matchers && o.instanceFactory) {
        return `${o.instanceFactory}(${str(String(node.ctor))}, ${fields})`;
      }
      return `/* ${commentSafe(String(node.ctor))} */ ${fields}`;
    }
    case "error": {
      const ctor = String(node.ctor);
      const message = str(String(node.message));
      const fields = v as { [key: string]: Tagged };
      if (o.matchers && !GLOBAL_ERRORS.has(ctor)) {
        return `expect.objectContaining({ message: ${message} })`;
      }
      const base = GLOBAL_ERRORS.has(ctor) ? `new ${ctor}(${message})` : `new Error(${message})`;
      const extra = GLOBAL_ERRORS.has(ctor) ? fields : { name: ctor, ...fields };
      return Object.keys(extra).length === 0
        ? base
        : `Object.assign(${base}, ${objectLiteral(extra, o)})`;
    }
    case "symbol":
      if (o.matchers) return "expect.any(Symbol)";
      return node.description === null ? "Symbol()" : `Symbol(${str(String(node.description))})`;
    case "function":
      if (o.matchers) return "expect.any(Function)";
      throw new NotReproducibleError(`a function (${String(node.name) || "anonymous"}) was passed`);
    case "circular":
      if (o.matchers) return "expect.anything()";
      throw new NotReproducibleError("the value refers to itself (a cycle)");
    case "string":
      if (o.matchers) return `expect.stringContaining(${str(String(v))})`;
      throw new NotReproducibleError("a string was cut at the length limit");
    case "derived":
      if (o.matchers) return "expect.any(String)";
      throw new NotReproducibleError("a string was derived from redacted data");
    case "accessor":
      if (o.matchers) return "expect.anything()";
      throw new NotReproducibleError("an object has getters, which were not read");
    case "truncated":
      if (o.matchers) return "expect.anything()";
      throw new NotReproducibleError(`the value was cut (${String(node.reason)} limit)`);
    case "unreadable":
      if (o.matchers) return "expect.anything()";
      throw new NotReproducibleError(`a ${String(node.type)} could not be read`);
    default:
      throw new NotReproducibleError(`unknown tag ${String(node.$t)}`);
  }
}

function objectLiteral(fields: { [key: string]: Tagged }, o: JsExpressionOptions): string {
  const cut = Object.hasOwn(fields, "$more");
  if (cut && !o.matchers) throw new NotReproducibleError("an object was cut at the key limit");
  const body = Object.entries(fields)
    .filter(([k]) => k !== "$more")
    .map(([k, value]) => `${key(k)}: ${render(value, o)}`)
    .join(", ");
  const literal = body.length === 0 ? "{}" : `{ ${body} }`;
  return cut ? `expect.objectContaining(${literal})` : literal;
}

/** Text safe inside a `/* … *\/` comment on one line. */
export const commentSafe = (text: string): string =>
  text.replace(/\*\//g, "* /").replace(/[\r\n\u2028\u2029]+/g, " ");
