import { isTag, parseTagged, type Tagged } from "./serialize.ts";

/** Stand-in classes so deserialised instances keep their constructor name. */
const classes = new Map<string, new () => object>();
function classNamed(name: string): new () => object {
  let ctor = classes.get(name);
  if (!ctor) {
    ctor = { [name]: class {} }[name] as new () => object;
    classes.set(name, ctor);
  }
  return ctor;
}

const ERRORS: Record<string, ErrorConstructor> = {
  Error,
  TypeError,
  RangeError,
  SyntaxError,
  ReferenceError,
  EvalError,
  URIError,
};

const TYPED: Record<string, (bytes: Buffer) => ArrayBufferView> = {
  Uint8Array: (b) => new Uint8Array(b),
  Int8Array: (b) => new Int8Array(copy(b)),
  Uint8ClampedArray: (b) => new Uint8ClampedArray(b),
  Uint16Array: (b) => new Uint16Array(copy(b)),
  Int16Array: (b) => new Int16Array(copy(b)),
  Uint32Array: (b) => new Uint32Array(copy(b)),
  Int32Array: (b) => new Int32Array(copy(b)),
  Float32Array: (b) => new Float32Array(copy(b)),
  Float64Array: (b) => new Float64Array(copy(b)),
  BigInt64Array: (b) => new BigInt64Array(copy(b)),
  BigUint64Array: (b) => new BigUint64Array(copy(b)),
  DataView: (b) => new DataView(copy(b)),
};
function copy(bytes: Buffer): ArrayBuffer {
  const out = new ArrayBuffer(bytes.length);
  new Uint8Array(out).set(bytes);
  return out;
}

/** Marker left where the serialiser cut a value (depth, size, items). */
export interface TruncatedMarker {
  $truncated: string;
}

/**
 * Rebuilds a value from tagged JSON (see `serialize`): undefined, -0, NaN, BigInt, Dates,
 * Buffers and typed arrays, Maps, Sets, cycles, errors, and instances of stand-in classes
 * with the captured constructor name. Cut values come back as `{ $truncated: reason }`.
 */
export function deserialize(serialized: string): unknown {
  const root = parseTagged(serialized);
  const byPath = new Map<string, unknown>();
  return rebuild(root, "$", byPath);
}

function rebuild(node: Tagged, path: string, byPath: Map<string, unknown>): unknown {
  if (node === null || typeof node !== "object") return node;
  if (Array.isArray(node)) {
    const out: unknown[] = [];
    byPath.set(path, out);
    node.forEach((item, i) => {
      if (isTag(item) && item.$t === "more") return;
      out.push(rebuild(item, `${path}[${i}]`, byPath));
    });
    return out;
  }
  if (!isTag(node)) return fields({}, node, path, byPath);
  const v = node.v;
  switch (node.$t) {
    case "undefined":
      return undefined;
    case "number":
      return Number(v === "-0" ? "-0" : v);
    case "bigint":
      return BigInt(String(v));
    case "date":
      return new Date(v === null ? Number.NaN : String(v));
    case "regexp":
      return new RegExp(String(node.source), String(node.flags));
    case "buffer":
      return Buffer.from(String(v), "base64");
    case "arraybuffer":
      return copy(Buffer.from(String(v), "base64"));
    case "typed": {
      const make = TYPED[String(node.ctor)] ?? TYPED.Uint8Array;
      return make?.(Buffer.from(String(v), "base64"));
    }
    case "map": {
      const out = new Map();
      byPath.set(path, out);
      (v as Tagged[]).forEach((entry, i) => {
        if (!Array.isArray(entry)) return;
        out.set(
          rebuild(entry[0] ?? null, `${path}.keys[${i}]`, byPath),
          rebuild(entry[1] ?? null, `${path}.get(${i})`, byPath),
        );
      });
      return out;
    }
    case "set": {
      const out = new Set();
      byPath.set(path, out);
      (v as Tagged[]).forEach((item, i) => {
        if (isTag(item) && item.$t === "more") return;
        out.add(rebuild(item, `${path}.values[${i}]`, byPath));
      });
      return out;
    }
    case "object":
      return fields({}, v as { [key: string]: Tagged }, path, byPath);
    case "instance": {
      const Ctor = classNamed(String(node.ctor));
      return fields(new Ctor(), v as { [key: string]: Tagged }, path, byPath);
    }
    case "error": {
      const ctor = String(node.ctor);
      const ErrorCtor = ERRORS[ctor] ?? Error;
      const err = new ErrorCtor(String(node.message));
      if (!ERRORS[ctor]) err.name = ctor;
      return fields(err, v as { [key: string]: Tagged }, path, byPath);
    }
    case "function": {
      const name = String(node.name);
      const fn = () => {
        throw new Error(`captured function ${name || "<anonymous>"} cannot be called`);
      };
      Object.defineProperty(fn, "name", { value: name });
      return fn;
    }
    case "symbol":
      return Symbol(node.description === null ? undefined : String(node.description));
    case "circular":
      return byPath.get(String(node.path));
    case "string":
      return String(v);
    default:
      return { $truncated: String(node.reason ?? node.$t) } satisfies TruncatedMarker;
  }
}

function fields<T extends object>(
  target: T,
  node: { [key: string]: Tagged },
  path: string,
  byPath: Map<string, unknown>,
): T {
  byPath.set(path, target);
  for (const [key, value] of Object.entries(node)) {
    if (key === "$more") continue;
    const childPath = /^[A-Za-z_$][\w$]*$/.test(key)
      ? `${path}.${key}`
      : `${path}[${JSON.stringify(key)}]`;
    Object.defineProperty(target, key, {
      value: rebuild(value, childPath, byPath),
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return target;
}
