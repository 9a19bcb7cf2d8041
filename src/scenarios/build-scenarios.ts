/**
 * Regression scenarios from production inputs: per changed function, pick representative
 * captured calls, redact them again, and render one test file that replays each input
 * and checks the outcome production saw. Pure: no I/O besides reading the packaged template.
 */
import { posix } from "node:path";
import type { ChangedFunction } from "../code/types.ts";
import type { Config } from "../config.ts";
import { DERIVED_MESSAGE } from "../instrument/index.ts";
import { isTag, parseTagged, type Tagged } from "../instrument/serialize.ts";
import {
  irreproducibleReason,
  NotReproducibleError,
  toJsExpression,
} from "../instrument/to-js-expression.ts";
import type { InputSample } from "../telemetry/types.ts";
import { functionKeyId } from "../telemetry/types.ts";
import { createRedactor, type RedactionRules, type Redactor } from "./redact.ts";
import { renderScenario } from "./render-scenario.ts";
import { type SelectedInput, selectInputsWithSummary, shapeOf } from "./select-inputs.ts";
import type { Scenario, ScenarioCase, TestFramework } from "./types.ts";

/** Where tests are written and what the code looks like, for imports and reachability. */
export interface ScenarioModuleInfo {
  /** Directory the test files go to, relative to the repo root (or absolute, with an absolute `repoRoot`). Default `faultline-scenarios`. */
  outDir?: string;
  /** The repository root in the same frame as `outDir`. Default `.`. */
  repoRoot?: string;
  /** Head source of repo files, to tell static from instance methods and nested functions. */
  sources?: ReadonlyMap<string, string>;
}

export interface BuildScenariosParams {
  /** Changed functions, riskiest first (`maxFunctions` keeps the first ones with samples). */
  functions: readonly ChangedFunction[];
  samples: readonly InputSample[];
  config: Config["scenarios"];
  moduleInfo?: ScenarioModuleInfo;
  /** Extra redaction rules for the second, render-time pass. */
  redaction?: RedactionRules;
  /** Template text replacing `templates/scenario.<framework>.hbs`. */
  template?: string;
}

const DAY_MS = 24 * 60 * 60 * 1000;
/** Captured class instances are rebuilt by the templates' `instance()` helper. */
const ARGS = { instanceFactory: "instance" } as const;

/**
 * @example
 * const scenarios = buildScenarios({ functions: changes.functions, samples, config: config.scenarios });
 * for (const s of scenarios) if (s.code) writeFileSync(join(outDir, s.fileName), s.code);
 */
export function buildScenarios(params: BuildScenariosParams): Scenario[] {
  if (!params.config.enabled) return [];
  const framework: TestFramework = params.config.framework;
  const byFunction = new Map<string, InputSample[]>();
  for (const sample of params.samples) {
    const id = functionKeyId(sample.key);
    byFunction.set(id, [...(byFunction.get(id) ?? []), sample]);
  }
  const scenarios: Scenario[] = [];
  const fileNames = new Set<string>();
  const seen = new Set<string>();
  for (const fn of params.functions) {
    if (scenarios.length >= params.config.maxFunctions) break;
    if (fn.change === "removed") continue;
    const key = { file: fn.file, name: fn.name };
    const id = functionKeyId(key);
    if (seen.has(id)) continue;
    seen.add(id);
    const samples = byFunction.get(id) ?? [];
    if (samples.length === 0) continue;
    const { picked: selected, omitted } = selectInputsWithSummary(
      samples,
      params.config.maxPerFunction,
    );
    const redactor = createRedactor(params.redaction);
    const redactedSamples = selected.flatMap((s) =>
      s.samples.map((x) => redactSample(x, redactor)),
    );
    const fileName = uniqueFileName(fn, fileNames);
    const unreachable = unreachableReason(fn, params.moduleInfo?.sources?.get(fn.file) ?? null);
    const base = { key, framework, fileName, samples: redactedSamples };
    if (unreachable) {
      scenarios.push({ ...base, runnable: false, reason: unreachable, cases: [], code: null });
      continue;
    }
    const { cases, skipped } = buildCases(selected, redactor);
    if (cases.length === 0) {
      const reason = `no captured input can be replayed: ${skipped[0] ?? "no usable samples"}`;
      scenarios.push({ ...base, runnable: false, reason, cases: [], code: null });
      continue;
    }
    const code = renderScenario({
      framework,
      file: fn.file,
      name: fn.name,
      importPath: importPathFor(fn.file, params.moduleInfo),
      exportPath: exportPathOf(fn.name),
      cases,
      callCount: samples.reduce((n, s) => n + s.count, 0),
      version: latestVersion(samples),
      ...(params.template === undefined ? {} : { template: params.template }),
      omitted: {
        max: params.config.maxPerFunction,
        inputs: omitted.inputs,
        calls: omitted.calls,
        // Causes carry message text: name only their exception type, redacted like the rest.
        classes: omitted.classes.map((c) =>
          redactor.text(c.includes(": ") ? `${c.slice(0, c.indexOf(": "))} (another message)` : c),
        ),
      },
    });
    scenarios.push({ ...base, runnable: true, reason: null, cases, code });
  }
  return scenarios;
}

function buildCases(
  selected: SelectedInput[],
  redactor: Redactor,
): { cases: ScenarioCase[]; skipped: string[] } {
  const cases: ScenarioCase[] = [];
  const skipped: string[] = [];
  for (const input of selected) {
    const args = redactSerialized(input.args, redactor);
    const irreproducible = irreproducibleReason(args);
    if (irreproducible) {
      skipped.push(irreproducible);
      continue;
    }
    const expectation = expectationFor(input, args, redactor);
    if (!expectation) {
      skipped.push("the same input both returned and threw");
      continue;
    }
    const tree = parseTagged(args);
    const argList = Array.isArray(tree)
      ? tree.map((node) => toJsExpression(JSON.stringify(node), ARGS)).join(", ")
      : toJsExpression(args, ARGS);
    cases.push({
      title: caseTitle(cases.length + 1, input, expectation, argList),
      args: argList,
      expectation,
      seen: input.count,
    });
  }
  return { cases, skipped };
}

function expectationFor(
  input: SelectedInput,
  args: string,
  redactor: Redactor,
): ScenarioCase["expectation"] | null {
  const outcomes = input.outcomes.map((o) => o.outcome);
  const returns = outcomes.filter((o) => o.kind === "return");
  const throws = outcomes.filter((o) => o.kind === "throw");
  if (returns.length > 0 && throws.length > 0) return null;
  if (returns.length > 1) return { kind: "doesNotThrow" };
  const only = returns[0];
  if (only) {
    const value = redactSerialized(only.value, redactor);
    const now = Date.parse(input.lastSeen);
    try {
      return {
        kind: "equals",
        value: toJsExpression(value, {
          matchers: true,
          ...(Number.isNaN(now) ? {} : { clock: { now, toleranceMs: DAY_MS } }),
          volatileString: (s) => isVolatile(s, args),
        }),
      };
    } catch (error) {
      if (error instanceof NotReproducibleError) return { kind: "doesNotThrow" };
      throw error;
    }
  }
  const types = new Set(throws.map((t) => t.type));
  if (types.size !== 1) return null;
  const type = throws[0]?.type ?? "Error";
  const messages = new Set(throws.map((t) => redactor.text(t.message)));
  const message = messages.size === 1 ? ([...messages][0] ?? null) : null;
  const stable = message !== null && message !== DERIVED_MESSAGE && !isVolatile(message, args);
  return { kind: "throws", type, message: stable ? message : null };
}

const VOLATILE = [
  /[0-9a-f]{8}-[0-9a-f]{4}-[1-8][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}/i, // UUID
  /\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/, // ISO time
  /\b1[5-9]\d{8}(?:\d{3})?\b/, // epoch seconds / ms
  /\b\d+(?:\.\d+)?\s?(?:ms|s)\b/, // a duration
];

/** Text that differs from run to run (ids, clock times, durations) unless the input holds it. */
function isVolatile(text: string, argsText: string): boolean {
  for (const pattern of VOLATILE) {
    const match = pattern.exec(text);
    if (match && !argsText.includes(match[0])) return true;
  }
  return false;
}

function caseTitle(
  index: number,
  input: SelectedInput,
  expectation: ScenarioCase["expectation"],
  argList: string,
): string {
  let what: string;
  if (expectation.kind === "throws") what = `throws ${expectation.type}`;
  else if (expectation.kind === "doesNotThrow") what = "does not throw (results varied)";
  else {
    const first = input.outcomes[0]?.outcome;
    what = `returns ${first?.kind === "return" ? kindOf(first.value) : "a value"}`;
  }
  const compact = argList.replace(/\s+/g, " ");
  const shown = compact.length > 60 ? `${compact.slice(0, 57)}...` : compact;
  const edges = input.edges.length > 0 ? ` [${input.edges.join(", ")}]` : "";
  return `#${index} (${shown}) ${what}${edges}, seen ${input.count}x`;
}

/** "an object", "an array", "a string", "null", "a Map", ... for case titles. */
function kindOf(serialized: string): string {
  let shape: string;
  try {
    shape = shapeOf(parseTagged(serialized));
  } catch {
    return "a value";
  }
  if (shape.startsWith("{")) return "an object";
  if (shape.startsWith("[")) return "an array";
  if (shape === "null" || shape === "undefined") return shape;
  const word = /^[A-Za-z]+/.exec(shape)?.[0] ?? "value";
  return `${/^[aeiouAEIOU]/.test(word) ? "an" : "a"} ${word}`;
}

function redactSample(sample: InputSample, redactor: Redactor): InputSample {
  const outcome: InputSample["outcome"] =
    sample.outcome.kind === "return"
      ? { kind: "return", value: redactSerialized(sample.outcome.value, redactor) }
      : {
          kind: "throw",
          type: sample.outcome.type,
          message: redactor.text(sample.outcome.message),
        };
  return { ...sample, args: redactSerialized(sample.args, redactor), outcome };
}

/**
 * The render-time redaction pass over tagged JSON: string leaves, error messages and values
 * under sensitive keys. Tag payloads (base64, type names) are left as they are.
 */
export function redactSerialized(serialized: string, redactor: Redactor): string {
  let tree: Tagged;
  try {
    tree = parseTagged(serialized);
  } catch {
    return JSON.stringify(redactor.text(serialized));
  }
  return JSON.stringify(redactTree(tree, redactor, false));
}

function redactTree(node: Tagged, r: Redactor, sensitive: boolean): Tagged {
  if (node === null || typeof node === "boolean") return node;
  if (typeof node === "string") {
    return sensitive ? (r.sensitiveValue(node) as string) : r.text(node);
  }
  if (typeof node === "number") {
    return sensitive ? (r.sensitiveValue(node) as number) : r.number(node);
  }
  if (Array.isArray(node)) return node.map((n) => redactTree(n, r, sensitive));
  if (!isTag(node)) return redactFields(node, r, sensitive);
  switch (node.$t) {
    case "object":
    case "instance":
      return { ...node, v: redactFields(node.v as { [key: string]: Tagged }, r, sensitive) };
    case "error":
      return {
        ...node,
        message: r.text(String(node.message)),
        v: redactFields(node.v as { [key: string]: Tagged }, r, sensitive),
      };
    case "map":
      return {
        ...node,
        v: (node.v as Tagged[]).map((entry) => {
          if (!Array.isArray(entry)) return entry;
          const [k, v] = entry;
          const keySensitive = sensitive || (typeof k === "string" && r.sensitiveKey(k));
          return [redactTree(k ?? null, r, false), redactTree(v ?? null, r, keySensitive)];
        }),
      };
    case "set":
      return { ...node, v: (node.v as Tagged[]).map((n) => redactTree(n, r, sensitive)) };
    case "string":
      return { ...node, v: r.text(String(node.v)) };
    default:
      return node;
  }
}

function redactFields(
  fields: { [key: string]: Tagged },
  r: Redactor,
  sensitive: boolean,
): { [key: string]: Tagged } {
  const out: { [key: string]: Tagged } = {};
  for (const [key, value] of Object.entries(fields)) {
    Object.defineProperty(out, key, {
      value: redactTree(value, r, sensitive || r.sensitiveKey(key)),
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return out;
}

/** Property path from a module's exports to a function named the way `src/code` names it. */
export function exportPathOf(name: string): string[] {
  const stripped = name.replace(/^(?:module\.exports|exports)(?:\.|$)/, "");
  return stripped === "" ? [] : stripped.split(".");
}

/**
 * Why a function cannot be called from its module's exports, or null. Uses the head
 * source, when given, to tell static methods and object-literal methods (callable) from
 * instance methods and functions nested in other functions (not callable).
 */
export function unreachableReason(fn: ChangedFunction, source: string | null): string | null {
  if (fn.name.includes("<anonymous>")) {
    return "anonymous function: nothing names it, so a test cannot import it";
  }
  if (fn.exported === false) {
    return "not exported from its module (scenarios call functions through the module's exports)";
  }
  const path = exportPathOf(fn.name);
  if (path.includes("prototype")) {
    return "instance method: production did not capture the instance it ran on";
  }
  const last = path[path.length - 1];
  if (last === "constructor") return "constructor: scenarios call functions, not classes";
  if (path.length < 2 || source === null) return null;
  const owner = path[path.length - 2] as string;
  const lines = source.split("\n");
  const line = lines[fn.startLine - 1] ?? "";
  const ownerPattern = escapeRegExp(owner);
  const isClass = new RegExp(
    `\\bclass\\s+${ownerPattern}\\b|\\b${ownerPattern}\\s*=\\s*class\\b`,
  ).test(source);
  if (/^\s*(?:static\s+)?(?:get|set)\s/.test(line)) {
    return "getter or setter: not called with arguments";
  }
  if (isClass) {
    if (/\bstatic\b/.test(line)) return null;
    return "instance method: production did not capture the instance it ran on";
  }
  const isObject = new RegExp(`\\b${ownerPattern}\\s*[=:]\\s*\\{`).test(source);
  const isFunction = new RegExp(
    `\\bfunction\\*?\\s+${ownerPattern}\\b|\\b${ownerPattern}\\s*=\\s*(?:async\\s*)?(?:function\\b|\\([^)]*\\)\\s*=>|[A-Za-z_$][\\w$]*\\s*=>)`,
  ).test(source);
  if (isFunction && !isObject) {
    return `nested inside function ${owner}: not reachable from the module's exports`;
  }
  return null;
}

const escapeRegExp = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/** Module specifier from the output directory to the repo file (always `./` or `../`). */
export function importPathFor(file: string, info: ScenarioModuleInfo | undefined): string {
  const outDir = toPosix(info?.outDir ?? "faultline-scenarios");
  const repoRoot = toPosix(info?.repoRoot ?? ".");
  const from = posix.resolve("/", outDir);
  const to = posix.resolve("/", repoRoot, file);
  const rel = posix.relative(from, to);
  return rel.startsWith(".") ? rel : `./${rel}`;
}

const toPosix = (p: string): string => p.replace(/\\/g, "/");

function uniqueFileName(fn: ChangedFunction, taken: Set<string>): string {
  const ext = /\.(?:ts|tsx|mts|cts)$/.test(fn.file) ? "ts" : "js";
  const stem = fn.file.replace(/\.[^./]+$/, "").replace(/[/\\]+/g, "__");
  const name = fn.name.replace(/[^A-Za-z0-9_$.-]+/g, "_");
  let fileName = `${stem}.${name}.test.${ext}`;
  for (let i = 2; taken.has(fileName); i += 1) fileName = `${stem}.${name}.${i}.test.${ext}`;
  taken.add(fileName);
  return fileName;
}

function latestVersion(samples: InputSample[]): string | null {
  let best: InputSample | null = null;
  for (const s of samples) if (s.version && (!best || s.lastSeen > best.lastSeen)) best = s;
  return best?.version ?? null;
}
