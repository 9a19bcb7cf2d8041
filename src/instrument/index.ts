/**
 * `faultline/instrument`: the small runtime helper users add to their Node services.
 * Wraps functions so every call is an OTel span carrying `code.function.name`,
 * `code.file.path` (and `code.line.number`), and — on a sampled share of calls — the
 * redacted arguments and outcome, which Faultline turns into regression tests.
 *
 * It uses whatever OpenTelemetry SDK the service registered (through `@opentelemetry/api`);
 * without one, spans are no-ops and nothing is serialised. Redaction happens here, before
 * anything leaves the process. Imports: the OTel API and Node built-ins only.
 */
import { type Attributes, type Span, SpanStatusCode, trace } from "@opentelemetry/api";
import { createRedactor, type RedactionRules, type Redactor } from "../scenarios/redact.ts";
import { ATTR } from "../telemetry/attribute-names.ts";
import { derivedTokens, isDerived, type SerializeLimits, serialize } from "./serialize.ts";

export type { RedactionRules } from "../scenarios/redact.ts";
export type { SerializeLimits } from "./serialize.ts";

export interface InstrumentMeta {
  /** Qualified name as Faultline names it: `checkout`, `Cart.total`, `utils.format`. */
  name: string;
  /** Repo-relative path (or an absolute/deployed path or file: URL; Faultline maps it by suffix). */
  file: string;
  line?: number;
}

export interface InstrumentOptions {
  /**
   * Share of calls (0..1) whose arguments and outcome are captured. Default:
   * `FAULTLINE_SAMPLE_RATE` from the environment, else 0.1. Spans are recorded for every
   * call either way (subject to the SDK's own sampler).
   */
  sampleRate?: number;
  /** Extra redaction rules (sensitive keys, patterns, HMAC key) on top of the built-in ones. */
  redaction?: RedactionRules;
  /** Caps on captured values (depth, items, string length, total size). */
  limits?: Omit<SerializeLimits, "redactor">;
  /** Tracer name; default `faultline/instrument`. */
  tracerName?: string;
}

export const DEFAULT_SAMPLE_RATE = 0.1;

/** Stands in for an error message that held a piece of redacted input. */
export const DERIVED_MESSAGE = "<message derived from redacted input>";

const WRAPPED = Symbol.for("faultline.instrument.wrapped");

type AnyFunction = (...args: never[]) => unknown;

function resolveSampleRate(option: number | undefined): number {
  const fromEnv = Number.parseFloat(process.env.FAULTLINE_SAMPLE_RATE ?? "");
  const rate = option ?? (Number.isFinite(fromEnv) ? fromEnv : DEFAULT_SAMPLE_RATE);
  return Math.min(1, Math.max(0, rate));
}

function filePathOf(file: string): string {
  if (!file.startsWith("file:")) return file;
  try {
    return decodeURIComponent(new URL(file).pathname);
  } catch {
    return file;
  }
}

/** The thrown value's type as Faultline reports it: the constructor name for plain `Error` subclasses. */
export function errorTypeOf(error: unknown): string {
  if (error instanceof Error) {
    if (error.name && error.name !== "Error") return error.name;
    const ctor = (error as { constructor?: { name?: string } }).constructor?.name;
    return ctor || "Error";
  }
  if (error === null) return "null";
  return typeof error;
}

function errorMessageOf(error: unknown): string {
  if (error instanceof Error) return error.message;
  if (typeof error === "string") return error;
  try {
    return JSON.stringify(error) ?? String(error);
  } catch {
    return String(error);
  }
}

const isThenable = (value: unknown): value is PromiseLike<unknown> =>
  value !== null &&
  (typeof value === "object" || typeof value === "function") &&
  typeof (value as { then?: unknown }).then === "function";

/**
 * Wraps one function. The wrapper keeps `this`, `name`, `length`, the prototype (so it
 * still works with `new`) and own static properties; async results are awaited for the
 * outcome without changing the promise the caller gets.
 *
 * @example
 * export const checkout = instrument(checkoutImpl, { name: "checkout", file: "src/checkout.js", line: 12 });
 */
export function instrument<F extends AnyFunction>(
  fn: F,
  meta: InstrumentMeta,
  options: InstrumentOptions = {},
): F {
  if ((fn as unknown as Record<symbol, unknown>)[WRAPPED]) return fn;
  const tracer = trace.getTracer(options.tracerName ?? "faultline/instrument");
  const sampleRate = resolveSampleRate(options.sampleRate);
  const redactor = createRedactor(options.redaction);
  const limits: SerializeLimits = { ...options.limits, redactor };
  const baseAttributes: Attributes = {
    [ATTR.functionName]: meta.name,
    [ATTR.filePath]: filePathOf(meta.file),
  };
  if (meta.line !== undefined) baseAttributes[ATTR.lineNumber] = meta.line;

  const wrapper = function (this: unknown, ...args: unknown[]): unknown {
    const target = new.target;
    return tracer.startActiveSpan(meta.name, { attributes: baseAttributes }, (span) => {
      const sampled = span.isRecording() && sampleRate > 0 && Math.random() < sampleRate;
      let outcomeLimits = limits;
      if (sampled) {
        // What redaction removes from the arguments, to spot results made from it.
        const secrets = new Set<string>();
        redactor.collect(secrets);
        span.setAttribute(ATTR.args, safeSerialize(args, limits));
        redactor.collect(null);
        outcomeLimits = { ...limits, derivedFrom: secrets };
      }
      let result: unknown;
      try {
        result =
          target !== undefined
            ? Reflect.construct(fn as unknown as new (...a: unknown[]) => unknown, args, target)
            : (fn as unknown as (...a: unknown[]) => unknown).apply(this, args);
      } catch (error) {
        finishThrow(span, error, sampled, redactor, outcomeLimits);
        throw error;
      }
      if (isThenable(result)) {
        // A separate branch: the caller's promise is returned untouched (and its
        // rejection stays theirs to handle).
        result.then(
          (value) => finishReturn(span, value, sampled, outcomeLimits),
          (error) => finishThrow(span, error, sampled, redactor, outcomeLimits),
        );
        return result;
      }
      finishReturn(span, target === undefined ? result : undefined, sampled, outcomeLimits);
      return result;
    });
  };
  copyFunctionShape(fn, wrapper);
  return wrapper as unknown as F;
}

function safeSerialize(value: unknown, limits: SerializeLimits): string {
  try {
    return serialize(value, limits);
  } catch (error) {
    // Never let capture break the user's call.
    return JSON.stringify({ $t: "unreadable", type: "value", error: errorMessageOf(error) });
  }
}

function finishReturn(span: Span, value: unknown, sampled: boolean, limits: SerializeLimits): void {
  if (sampled) {
    span.setAttribute(ATTR.outcome, "return");
    span.setAttribute(ATTR.result, safeSerialize(value, limits));
  }
  span.end();
}

function finishThrow(
  span: Span,
  error: unknown,
  sampled: boolean,
  redactor: Redactor,
  limits: SerializeLimits,
): void {
  const type = errorTypeOf(error);
  const redacted = redactBounded(redactor, errorMessageOf(error), MAX_MESSAGE);
  const derived = isDerived(redacted, derivedTokens(limits.derivedFrom));
  const message = derived ? DERIVED_MESSAGE : redacted;
  let stack =
    error instanceof Error && typeof error.stack === "string"
      ? redactBounded(redactor, error.stack, MAX_STACK)
      : undefined;
  if (stack !== undefined && derived) stack = stack.replace(redacted, DERIVED_MESSAGE);
  // A redacted copy: exception events leave the process too.
  span.recordException(
    stack === undefined ? { name: type, message } : { name: type, message, stack },
  );
  span.setStatus({ code: SpanStatusCode.ERROR, message });
  if (sampled) {
    span.setAttribute(ATTR.outcome, "throw");
    span.setAttribute(ATTR.errorType, type);
    span.setAttribute(ATTR.errorMessage, message);
  }
  span.end();
}

const MAX_MESSAGE = 2048;
const MAX_STACK = 16_384;

/** Redacts at most `max` (+ a margin for a secret on the cut) characters, then cuts. */
function redactBounded(redactor: Redactor, text: string, max: number): string {
  if (text.length <= max) return redactor.text(text);
  return `${redactor.text(text.slice(0, max + 256)).slice(0, max)}…`;
}

function copyFunctionShape(from: AnyFunction, to: AnyFunction): void {
  for (const key of Reflect.ownKeys(from)) {
    if (key === "prototype" || key === "arguments" || key === "caller") continue;
    const descriptor = Object.getOwnPropertyDescriptor(from, key);
    if (descriptor) {
      try {
        Object.defineProperty(to, key, descriptor);
      } catch {
        // Non-configurable built-in properties: keep the wrapper's own.
      }
    }
  }
  if (Object.hasOwn(from, "prototype")) {
    Object.defineProperty(to, "prototype", {
      value: (from as unknown as { prototype: unknown }).prototype,
      writable: true,
    });
  }
  Object.defineProperty(to, WRAPPED, { value: true });
}

const isClass = (fn: AnyFunction): boolean =>
  /^class[\s{]/.test(Function.prototype.toString.call(fn));

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  value !== null &&
  typeof value === "object" &&
  (Object.getPrototypeOf(value) === Object.prototype || Object.getPrototypeOf(value) === null);

/**
 * Instruments every exported function of a module, named the way Faultline names them:
 * `fn`, `Class.staticMethod` and `Class.method` (patched on the class, so `new` and
 * `instanceof` keep working), `object.method` for object-literal exports. Returns a new
 * exports object (ES module namespaces are frozen); use it in place of the original.
 *
 * @example
 * // src/pricing/index.js
 * import * as impl from "./pricing.js";
 * export const { quote, Cart } = instrumentModule(impl, { file: "src/pricing/pricing.js" });
 */
export function instrumentModule<T extends object>(
  moduleExports: T,
  meta: { file: string },
  options: InstrumentOptions = {},
): T {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(moduleExports)) {
    out[key] = instrumentExport(key, value, meta.file, options);
  }
  return out as T;
}

function instrumentExport(
  key: string,
  value: unknown,
  file: string,
  options: InstrumentOptions,
): unknown {
  if (typeof value === "function") {
    const fn = value as AnyFunction;
    const name = key === "default" ? fn.name || "default" : key;
    if (isClass(fn)) {
      instrumentClass(fn, fn.name || name, file, options);
      return fn;
    }
    return instrument(fn, { name, file }, options);
  }
  if (key === "default" && isPlainObject(value)) {
    // CommonJS `module.exports = { a, b }` imported from ESM: its members are the exports.
    for (const [member, inner] of Object.entries(value)) {
      value[member] = instrumentExport(member, inner, file, options);
    }
    return value;
  }
  if (isPlainObject(value) && !Object.isFrozen(value)) {
    for (const [member, inner] of Object.entries(value)) {
      if (typeof inner === "function" && !isClass(inner as AnyFunction)) {
        value[member] = instrument(
          inner as AnyFunction,
          { name: `${key}.${member}`, file },
          options,
        );
      }
    }
  }
  return value;
}

function instrumentClass(
  cls: AnyFunction,
  className: string,
  file: string,
  options: InstrumentOptions,
): void {
  const targets: [object, string][] = [
    [cls, className],
    [(cls as unknown as { prototype: object }).prototype, className],
  ];
  for (const [owner, prefix] of targets) {
    for (const member of Object.getOwnPropertyNames(owner)) {
      if (["constructor", "prototype", "length", "name", "caller", "arguments"].includes(member)) {
        continue;
      }
      const descriptor = Object.getOwnPropertyDescriptor(owner, member);
      if (!descriptor || typeof descriptor.value !== "function" || !descriptor.writable) continue;
      Object.defineProperty(owner, member, {
        ...descriptor,
        value: instrument(
          descriptor.value as AnyFunction,
          { name: `${prefix}.${member}`, file },
          options,
        ),
      });
    }
  }
}
