import { isTag, parseTagged, type Tagged } from "../instrument/serialize.ts";
import type { InputSample } from "../telemetry/types.ts";
import { compareText } from "./compare-text.ts";

/** Edge values worth a case of their own when production sent them. */
export type EdgeTag =
  | "empty"
  | "null"
  | "undefined"
  | "zero"
  | "negative"
  | "huge"
  | "unicode"
  | "non-finite"
  /** Same input as a more frequent one but for letter case or surrounding spaces. */
  | "variant";

/** One distinct input of a function, with everything production saw it do. */
export interface SelectedInput {
  /** Serialised argument list. */
  args: string;
  /** Times seen, over all outcomes. */
  count: number;
  /** Distinct outcomes seen for this input, most frequent first. */
  outcomes: { outcome: InputSample["outcome"]; count: number }[];
  /** `return:<shape>`, `throw:<Type>`, or `varied` when the same input saw different outcomes. */
  outcomeClass: string;
  /** Type shape of the arguments (keys and value types, not values). */
  argsShape: string;
  edges: EdgeTag[];
  /** Why this input was picked: `outcome`, `cause` (another message of an exception type), `edge:<tag>`, `shape` or `frequency`. */
  why: string;
  lastSeen: string;
  samples: InputSample[];
}

/** What a capped selection left out, for the rendered file's header. */
export interface SelectionOmitted {
  /** Distinct inputs not selected. */
  inputs: number;
  /** Production calls those inputs stand for. */
  calls: number;
  /** Outcome classes (and distinct exception causes) with no selected representative. */
  classes: string[];
}

export interface Selection {
  picked: SelectedInput[];
  omitted: SelectionOmitted;
}

/** `selectInputsWithSummary(...).picked`. */
export function selectInputs(samples: readonly InputSample[], max: number): SelectedInput[] {
  return selectInputsWithSummary(samples, max).picked;
}

/**
 * Picks representative inputs of one function, at most `max`, in priority order:
 * 1. one per outcome class (each exception type, each return shape): the most frequent
 *    class first (the path most callers take), then exception types, then the other
 *    classes, rarer first — so a rare TypeError is never crowded out by frequent returns;
 * 2. one per further distinct cause of an exception type (its message with argument
 *    values and numbers blanked: "unknown code X" vs "code X expired on D");
 * 3. each edge value seen; 4. the most frequent argument shapes; 5. the most frequent inputs.
 * Identical inputs are merged; the result is the same for the same samples in any order.
 */
export function selectInputsWithSummary(samples: readonly InputSample[], max: number): Selection {
  const candidates = groupByArgs(samples);
  const picked: SelectedInput[] = [];
  const taken = new Set<string>();
  const take = (c: SelectedInput | undefined, why: string): void => {
    if (!c || taken.has(c.args) || picked.length >= max) return;
    taken.add(c.args);
    picked.push({ ...c, why });
  };

  // 1. Every outcome class.
  const classes = new Map<string, SelectedInput[]>();
  for (const c of candidates)
    classes.set(c.outcomeClass, [...(classes.get(c.outcomeClass) ?? []), c]);
  const byTotal = [...classes.entries()]
    .map(([name, list]) => ({ name, list, total: list.reduce((n, c) => n + c.count, 0) }))
    .sort((a, b) => b.total - a.total || compareText(a.name, b.name));
  const [main, ...rest] = byTotal;
  const rarerFirst = (a: { name: string; total: number }, b: { name: string; total: number }) =>
    a.total - b.total || compareText(a.name, b.name);
  const classOrder = [
    ...(main ? [main] : []),
    ...rest.filter((c) => c.name.startsWith("throw:")).sort(rarerFirst),
    ...rest.filter((c) => !c.name.startsWith("throw:")).sort(rarerFirst),
  ];
  for (const { list } of classOrder) take(list[0], "outcome");

  // 2. Each further cause of an exception type (distinct stable message).
  const causes = new Map<string, SelectedInput[]>();
  for (const c of candidates)
    for (const cause of causesOf(c)) causes.set(cause, [...(causes.get(cause) ?? []), c]);
  const causeOrder = [...causes.entries()]
    .map(([name, list]) => ({ name, list, total: list.reduce((n, c) => n + c.count, 0) }))
    .sort(rarerFirst);
  const covered = (cause: string): boolean => picked.some((p) => causesOf(p).includes(cause));
  for (const { name, list } of causeOrder) if (!covered(name)) take(list[0], "cause");

  // 3. Each edge value production sent.
  const edgeOrder: EdgeTag[] = [
    "variant",
    "empty",
    "null",
    "undefined",
    "zero",
    "negative",
    "huge",
    "unicode",
    "non-finite",
  ];
  for (const edge of edgeOrder) {
    if (picked.some((p) => p.edges.includes(edge))) continue;
    take(
      candidates.find((c) => c.edges.includes(edge)),
      `edge:${edge}`,
    );
  }

  // 4. The most frequent argument shapes not yet covered.
  const shapes = new Map<string, number>();
  for (const c of candidates) shapes.set(c.argsShape, (shapes.get(c.argsShape) ?? 0) + c.count);
  const shapeOrder = [...shapes.entries()].sort((a, b) => b[1] - a[1] || compareText(a[0], b[0]));
  for (const [shape] of shapeOrder) {
    if (picked.some((p) => p.argsShape === shape)) continue;
    take(
      candidates.find((c) => c.argsShape === shape),
      "shape",
    );
  }

  // 5. Fill with the most frequent inputs.
  for (const c of candidates) take(c, "frequency");

  const left = candidates.filter((c) => !taken.has(c.args));
  const missingClasses = classOrder
    .filter((c) => !picked.some((p) => p.outcomeClass === c.name))
    .map((c) => c.name);
  const missingCauses = causeOrder
    .filter((c) => !covered(c.name) && !missingClasses.includes(`throw:${typeOf(c.name)}`))
    .map((c) => c.name);
  return {
    picked,
    omitted: {
      inputs: left.length,
      calls: left.reduce((n, c) => n + c.count, 0),
      classes: [...missingClasses, ...missingCauses],
    },
  };
}

/** `throw:<Type>: <message template>` for each exception this input saw. */
function causesOf(c: SelectedInput): string[] {
  const out = new Set<string>();
  for (const { outcome } of c.outcomes)
    if (outcome.kind === "throw")
      out.add(`throw:${outcome.type}: ${messageTemplate(outcome.message, c.args)}`);
  return [...out].sort();
}

const typeOf = (cause: string): string => cause.slice("throw:".length, cause.indexOf(": "));

/**
 * A message with what varies per call blanked: words that occur in the arguments (codes,
 * ids, names; any letter case) become `…`, numbers `#`, so "unknown discount code BOGUS"
 * and "unknown discount code NOPE" are one cause and "code XMAS expired on 2026-01-01" another.
 */
export function messageTemplate(message: string, args: string): string {
  const argWords = new Set((args.match(/[\p{L}\p{N}_$@]{2,}/gu) ?? []).map((w) => w.toLowerCase()));
  return (
    message
      .replace(/"[^"]*"|'[^']*'|`[^`]*`/g, "…")
      // Only words with a letter: bare numbers become `#` below whatever the arguments hold.
      .replace(/[\p{L}\p{N}_$@]{2,}/gu, (word) =>
        /\p{L}/u.test(word) && argWords.has(word.toLowerCase()) ? "…" : word,
      )
      .replace(/\d+(?:[.,]\d+)*/g, "#")
      .slice(0, 200)
  );
}

function groupByArgs(samples: readonly InputSample[]): SelectedInput[] {
  const byArgs = new Map<string, InputSample[]>();
  for (const s of samples) byArgs.set(s.args, [...(byArgs.get(s.args) ?? []), s]);
  const out: SelectedInput[] = [];
  for (const [args, list] of byArgs) {
    const outcomes = new Map<string, { outcome: InputSample["outcome"]; count: number }>();
    for (const s of list) {
      const id = JSON.stringify(s.outcome);
      const entry = outcomes.get(id);
      if (entry) entry.count += s.count;
      else outcomes.set(id, { outcome: s.outcome, count: s.count });
    }
    const sorted = [...outcomes.values()].sort(
      (a, b) =>
        b.count - a.count || compareText(JSON.stringify(a.outcome), JSON.stringify(b.outcome)),
    );
    let tree: Tagged;
    try {
      tree = parseTagged(args);
    } catch {
      continue; // not Faultline's format: nothing to replay
    }
    out.push({
      args,
      count: sorted.reduce((n, o) => n + o.count, 0),
      outcomes: sorted,
      outcomeClass: outcomeClassOf(sorted.map((o) => o.outcome)),
      argsShape: shapeOf(tree),
      edges: edgesOf(tree),
      why: "",
      lastSeen:
        list
          .map((s) => s.lastSeen)
          .sort()
          .at(-1) ?? "",
      samples: [...list].sort((a, b) => b.count - a.count || compareText(a.lastSeen, b.lastSeen)),
    });
  }
  // Most frequent first; ties by the argument text so the order never depends on input order.
  out.sort((a, b) => b.count - a.count || compareText(a.args, b.args));
  // Case and whitespace variants of a more frequent input exercise normalisation paths.
  const firstOfVariant = new Set<string>();
  for (const c of out) {
    const normalised = c.args.toLowerCase().replace(/\s+/g, "");
    if (firstOfVariant.has(normalised)) c.edges = [...c.edges, "variant" as const].sort();
    else firstOfVariant.add(normalised);
  }
  return out;
}

function outcomeClassOf(outcomes: InputSample["outcome"][]): string {
  const classes = new Set(
    outcomes.map((o) => {
      if (o.kind === "throw") return `throw:${o.type}`;
      try {
        return `return:${shapeOf(parseTagged(o.value))}`;
      } catch {
        return "return:?";
      }
    }),
  );
  if (outcomes.length > 1) return "varied";
  return [...classes][0] ?? "varied";
}

/** Type shape of a serialised value: `{a:number,b:string[]}`, `Map<string,number>`, `Customer{id:number}`. */
export function shapeOf(node: Tagged, depth = 0): string {
  if (depth > 4) return "…";
  if (node === null) return "null";
  if (typeof node !== "object") return typeof node;
  if (Array.isArray(node)) {
    const items = [
      ...new Set(
        node.filter((n) => !(isTag(n) && n.$t === "more")).map((n) => shapeOf(n, depth + 1)),
      ),
    ];
    return items.length === 0 ? "[]" : `[${items.sort().join("|")}]`;
  }
  if (!isTag(node)) return objectShape(node, depth);
  switch (node.$t) {
    case "instance":
      return `${String(node.ctor)}${objectShape(node.v as { [key: string]: Tagged }, depth)}`;
    case "object":
      return objectShape(node.v as { [key: string]: Tagged }, depth);
    case "error":
      return `${String(node.ctor)}!`;
    case "typed":
      return String(node.ctor);
    case "map":
    case "set":
      return `${node.$t === "map" ? "Map" : "Set"}(${(node.v as Tagged[]).length === 0 ? "empty" : "items"})`;
    case "string":
      return "string";
    case "number":
      return "number";
    default:
      return String(node.$t);
  }
}

function objectShape(fields: { [key: string]: Tagged }, depth: number): string {
  const keys = Object.keys(fields)
    .filter((k) => k !== "$more")
    .sort();
  return `{${keys.map((k) => `${k}:${shapeOf(fields[k] ?? null, depth + 1)}`).join(",")}}`;
}

const HUGE_NUMBER = 1e9;
const HUGE_STRING = 1000;
const HUGE_ITEMS = 100;

function edgesOf(root: Tagged): EdgeTag[] {
  const found = new Set<EdgeTag>();
  const visit = (node: Tagged, depth: number): void => {
    if (depth > 8) return;
    if (node === null) {
      found.add("null");
      return;
    }
    if (typeof node === "string") {
      if (node.length === 0) found.add("empty");
      if (node.length >= HUGE_STRING) found.add("huge");
      if (/[^\t\n\r\x20-\x7e]/.test(node)) found.add("unicode");
      return;
    }
    if (typeof node === "number") {
      if (node === 0) found.add("zero");
      if (node < 0) found.add("negative");
      if (Math.abs(node) >= HUGE_NUMBER) found.add("huge");
      return;
    }
    if (typeof node === "boolean") return;
    if (Array.isArray(node)) {
      // The top-level argument list itself being empty is "no arguments", not an edge value.
      if (node.length === 0 && depth > 0) found.add("empty");
      if (node.length >= HUGE_ITEMS || node.some((n) => isTag(n) && n.$t === "more"))
        found.add("huge");
      for (const n of node) visit(n, depth + 1);
      return;
    }
    if (!isTag(node)) {
      const keys = Object.keys(node);
      if (keys.length === 0) found.add("empty");
      for (const k of keys) visit(node[k] ?? null, depth + 1);
      return;
    }
    switch (node.$t) {
      case "undefined":
        found.add("undefined");
        break;
      case "number":
        found.add(node.v === "-0" ? "zero" : "non-finite");
        break;
      case "bigint": {
        const text = String(node.v);
        if (text.startsWith("-")) found.add("negative");
        if (text === "0") found.add("zero");
        if (text.replace("-", "").length >= 10) found.add("huge");
        break;
      }
      case "string":
        found.add("huge");
        break;
      case "map":
      case "set":
        if ((node.v as Tagged[]).length === 0) found.add("empty");
        for (const n of node.v as Tagged[]) visit(n, depth + 1);
        break;
      case "instance":
      case "object":
        visit(node.v ?? null, depth);
        break;
    }
  };
  visit(root, 0);
  return [...found].sort();
}
