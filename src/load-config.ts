/**
 * Reads `.github/faultline.yml` into a validated `Config`. Errors name the file, the line,
 * the key path and what is allowed, so a typo is fixed without opening the docs.
 */
import { readFile } from "node:fs/promises";
import type { Document, Node } from "yaml";
import { isMap, isNode, isPair, isScalar, LineCounter, parseDocument } from "yaml";
import type { z } from "zod";
import { type Config, configSchema } from "./config.ts";
import { UsageError } from "./errors.ts";

type Issue = z.core.$ZodIssue;
type PathKey = string | number;

/**
 * Parses and validates a configuration text.
 * @example parseConfig("gate:\n  failOn: critical\n", ".github/faultline.yml").gate.failOn // "critical"
 */
export function parseConfig(text: string, origin: string): Config {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const firstError = doc.errors[0];
  if (firstError) {
    const line = firstError.linePos?.[0]?.line ?? lineCounter.linePos(firstError.pos[0]).line;
    const reason = firstError.message.split("\n")[0] ?? firstError.message;
    throw new UsageError(`${origin}:${line}: not valid YAML: ${reason}`);
  }
  let raw: unknown;
  try {
    raw = doc.toJS({ maxAliasCount: 100 }) ?? {};
  } catch (error) {
    // yaml refuses alias bombs ("billion laughs") while building the value.
    throw new UsageError(`${origin}: not a usable configuration: ${(error as Error).message}`);
  }
  if (typeof raw !== "object" || Array.isArray(raw) || raw === null) {
    throw new UsageError(
      `${origin}:1: the configuration must be a mapping of keys (services, window, risk, gate, ...), got ${describe(raw)}`,
    );
  }
  const result = configSchema.safeParse(dropNullKeys(raw));
  if (result.success) return result.data;
  const lines = result.error.issues.map((issue) => formatIssue(issue, doc, lineCounter, origin));
  throw new UsageError(lines.join("\n"));
}

/** Reads a config file; no path or a missing file gives the defaults. */
export async function loadConfigFile(path: string | undefined): Promise<Config> {
  if (path === undefined) return configSchema.parse({});
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return configSchema.parse({});
    throw new UsageError(`cannot read config ${path}: ${(error as Error).message}`);
  }
  return parseConfig(text, path);
}

/**
 * `gate:` with every child commented out parses as `gate: null`. No setting accepts null,
 * so a null-valued key means "not set" and falls back to its default.
 */
function dropNullKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(dropNullKeys);
  if (typeof value !== "object" || value === null) return value;
  return Object.fromEntries(
    Object.entries(value)
      .filter(([, child]) => child !== null)
      .map(([key, child]) => [key, dropNullKeys(child)]),
  );
}

function formatIssue(issue: Issue, doc: Document, counter: LineCounter, origin: string): string {
  const path = issue.path.filter((key): key is PathKey => typeof key !== "symbol");
  if (issue.code === "unrecognized_keys") {
    return issue.keys
      .map((key) => {
        const line = keyLine(doc, counter, path, key);
        const allowed = allowedKeys(path);
        const hint = allowed.length > 0 ? ` (allowed: ${allowed.join(", ")})` : "";
        return `${origin}:${line}: ${joinPath([...path, key])}: unknown key${hint}`;
      })
      .join("\n");
  }
  const line = valueLine(doc, counter, path);
  const where = path.length > 0 ? joinPath(path) : "(top level)";
  return `${origin}:${line}: ${where}: ${explain(issue, valueAt(doc, path))}`;
}

function explain(issue: Issue, got: unknown): string {
  const gotText = got === undefined ? "" : ` (got ${describe(got)})`;
  switch (issue.code) {
    case "invalid_value":
      return `must be one of ${issue.values.map(String).join("|")}${gotText}`;
    case "invalid_union": {
      const values = issue.errors
        .flat()
        .flatMap((inner) => (inner.code === "invalid_value" ? inner.values.map(String) : []));
      if (values.length > 0) return `must be one of ${values.join("|")}${gotText}`;
      return `${issue.message}${gotText}`;
    }
    case "invalid_type":
      if (got === undefined) return `is required (${issue.expected})`;
      return `must be ${article(issue.expected)}${gotText}`;
    case "too_small":
      if (issue.origin === "array") return `needs at least ${issue.minimum} item(s)${gotText}`;
      if (issue.origin === "string") return `must not be empty${gotText}`;
      return `must be ${issue.inclusive ? ">=" : ">"} ${issue.minimum}${gotText}`;
    case "too_big":
      if (issue.origin === "array") return `allows at most ${issue.maximum} item(s)`;
      return `must be ${issue.inclusive ? "<=" : "<"} ${issue.maximum}${gotText}`;
    case "invalid_format":
      return `${issue.message}${gotText}`;
    default:
      return issue.message;
  }
}

const article = (type: string): string =>
  type === "int" ? "an integer" : /^[aeiou]/.test(type) ? `an ${type}` : `a ${type}`;

function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "a list";
  if (typeof value === "object") return "a mapping";
  const text =
    typeof value === "number" && !Number.isFinite(value)
      ? String(value)
      : (JSON.stringify(value) ?? String(value));
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

function joinPath(path: readonly PathKey[]): string {
  return path.reduce<string>(
    (text, key) => (typeof key === "number" ? `${text}[${key}]` : text ? `${text}.${key}` : key),
    "",
  );
}

function valueAt(doc: Document, path: readonly PathKey[]): unknown {
  const node: unknown = doc.getIn(path, true);
  if (isScalar(node)) return node.value;
  if (isNode(node)) return node.toJSON();
  return undefined;
}

/** Line of the value at `path`, or of its nearest existing ancestor (missing keys). */
function valueLine(doc: Document, counter: LineCounter, path: readonly PathKey[]): number {
  for (let depth = path.length; depth >= 0; depth--) {
    const prefix = path.slice(0, depth);
    const node: unknown = depth === 0 ? doc.contents : doc.getIn(prefix, true);
    if (isNode(node) && node.range) {
      // For a mapping value, point at its key (the line a user reads as "the setting").
      const keyNode = depth > 0 ? findKeyNode(doc, prefix.slice(0, -1), prefix.at(-1)) : null;
      const range = keyNode?.range ?? node.range;
      return counter.linePos(range[0]).line || 1;
    }
  }
  return 1;
}

function keyLine(
  doc: Document,
  counter: LineCounter,
  parent: readonly PathKey[],
  key: string,
): number {
  const keyNode = findKeyNode(doc, parent, key);
  if (keyNode?.range) return counter.linePos(keyNode.range[0]).line || 1;
  return valueLine(doc, counter, parent);
}

function findKeyNode(
  doc: Document,
  parent: readonly PathKey[],
  key: PathKey | undefined,
): Node | null {
  if (typeof key !== "string") return null;
  const map: unknown = parent.length === 0 ? doc.contents : doc.getIn(parent, true);
  if (!isMap(map)) return null;
  for (const item of map.items) {
    if (isPair(item) && isScalar(item.key) && item.key.value === key) return item.key;
  }
  return null;
}

/** Keys the schema allows at an object path (for "unknown key" hints). */
function allowedKeys(path: readonly PathKey[]): string[] {
  let schema: unknown = configSchema;
  for (const key of path) {
    schema = unwrap(schema);
    if (typeof key === "number") {
      schema = defOf(schema)?.element;
    } else {
      schema = shapeOf(schema)?.[key];
    }
    if (!schema) return [];
  }
  return Object.keys(shapeOf(unwrap(schema)) ?? {});
}

interface SchemaDef {
  innerType?: unknown;
  element?: unknown;
  in?: unknown;
  shape?: Record<string, unknown>;
}

function defOf(schema: unknown): SchemaDef | undefined {
  return (schema as { _zod?: { def?: SchemaDef } } | undefined)?._zod?.def;
}

function shapeOf(schema: unknown): Record<string, unknown> | undefined {
  return defOf(schema)?.shape;
}

/** Looks through default/prefault/optional/refine wrappers to the object or array inside. */
function unwrap(schema: unknown): unknown {
  let current = schema;
  for (let i = 0; i < 10; i++) {
    const def = defOf(current);
    const inner = def?.innerType ?? def?.in;
    if (!inner) return current;
    current = inner;
  }
  return current;
}
