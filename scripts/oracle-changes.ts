/**
 * Changed functions on a repository's real commits, against an independent oracle: the
 * second reading in test/support/babel-functions.ts (Babel's parser and tokens, the naming
 * rules implemented again), own tokens without comments, nested functions or the function's
 * own name, paired by qualified name (identical bodies first, then in order).
 *
 *   npx tsx scripts/oracle-changes.ts --repo ../hono [--commits 60] [--step 1]
 *
 * Compares file, name, change and lines of every reported function over the last
 * `--commits` first-parent commits (or ranges of `--step` commits); prints precision, recall,
 * F1 and the first differences.
 */
import { execFileSync } from "node:child_process";
import { parseArgs } from "node:util";
import { collectChanges } from "../src/code/collect-changes.ts";
import { languageFor } from "../src/code/language-for.ts";
import { openLocalGitSource } from "../src/code/local-git-source.ts";
import { contentSkipReason, pathSkipReason } from "../src/code/skip-reason.ts";
import {
  babelFunctions,
  babelTokens,
  type OracleFunction,
} from "../test/support/babel-functions.ts";

const { values } = parseArgs({
  options: {
    repo: { type: "string" },
    commits: { type: "string", default: "60" },
    step: { type: "string", default: "1" },
  },
});
if (!values.repo) throw new Error("--repo DIR is required (a clone or bare repository)");
const repo = values.repo;
const commits = Number(values.commits);
const step = Number(values.step);
const git = (...args: string[]) =>
  execFileSync("git", ["-C", repo, ...args], { maxBuffer: 1 << 30 }).toString();

interface Versioned {
  name: string;
  start: number;
  end: number;
  tokens: string;
  /** Parameter and return type tokens, trailing commas dropped. */
  signature: string;
}

const CLOSERS = new Set([")", "]", "}", ">"]);

/** Each function with its own tokens; names the second reading leaves open are `?`. */
function functionsOf(source: string, path: string): Versioned[] {
  const functions = babelFunctions(source, path);
  const tokens = babelTokens(source, path);
  const inside = (at: number, [from, to]: [number, number]) => at >= from && at < to;
  return functions.map((fn: OracleFunction) => {
    const holes = functions
      .filter((other) => other !== fn && other.from >= fn.from && other.to <= fn.to)
      .map((other): [number, number] => [other.from, other.to]);
    if (fn.nameAt) holes.push(fn.nameAt);
    const own = tokens.filter(
      (t) => t.start >= fn.from && t.end <= fn.to && !holes.some((hole) => inside(t.start, hole)),
    );
    const signature = fn.signatureAt.map(([from, to]) => {
      const part = tokens.filter((t) => t.start >= from && t.end <= to).map((t) => t.text);
      return part.filter((text, i) => text !== "," || !CLOSERS.has(part[i + 1] ?? ")")).join(" ");
    });
    return {
      name: fn.name ?? "?",
      start: fn.start,
      end: fn.end,
      tokens: own.map((t) => t.text).join("\u0001"),
      signature: signature.join("\u0002"),
    };
  });
}

/** Whether each expected `modified` change's signature changed, by change key. */
const signatureChanged = new Map<string, boolean>();

/** `file|name|change|start|end` of every changed function, pairing as the README describes. */
function changesOf(file: string, baseFile: string, base: Versioned[], head: Versioned[]) {
  const out: string[] = [];
  const report = (change: string, fn: Versioned, old?: Versioned) => {
    const key = `${change === "removed" ? baseFile : file}|${fn.name}|${change}|${fn.start}|${fn.end}`;
    out.push(key);
    if (old) signatureChanged.set(key, old.signature !== fn.signature);
  };
  for (const name of new Set([...base, ...head].map((fn) => fn.name))) {
    const before = base.filter((fn) => fn.name === name);
    const after = head.filter((fn) => fn.name === name);
    const kept = new Set<Versioned>();
    for (const fn of after) {
      const same = before.find((old) => !kept.has(old) && old.tokens === fn.tokens);
      if (same) kept.add(same).add(fn);
    }
    const left = before.filter((fn) => !kept.has(fn));
    const right = after.filter((fn) => !kept.has(fn));
    for (let i = 0; i < Math.max(left.length, right.length); i++) {
      const [old, now] = [left[i], right[i]];
      if (old && now) {
        if (old.tokens !== now.tokens) report("modified", now, old);
      } else if (now) report("added", now);
      else if (old) report("removed", old);
    }
  }
  return out;
}

function read(rev: string, path: string): string | null {
  if (!languageFor(path)) return null;
  const content = git("show", `${rev}:${path}`);
  return content.includes("\u0000") || contentSkipReason(content) ? null : content;
}

/** Expected changes, counted (two functions can share a line, a name and a change). */
function expectedChanges(
  base: string,
  head: string,
): { expected: Map<string, number>; unreadable: Set<string> } {
  const expected = new Map<string, number>();
  const unreadable = new Set<string>();
  const parts = git("diff", "-M", "--name-status", "-z", base, head, "--").split("\0");
  for (let i = 0; i < parts.length; ) {
    const status = parts[i++];
    if (!status) continue;
    const first = parts[i++] as string;
    const file = status[0] === "R" || status[0] === "C" ? (parts[i++] as string) : first;
    if (!languageFor(file) || pathSkipReason(file)) continue;
    const baseText = status[0] === "A" || status[0] === "C" ? null : read(base, first);
    const headText = status[0] === "D" ? null : read(head, file);
    if (status[0] !== "D" && headText === null) continue;
    try {
      const before = baseText === null ? [] : functionsOf(baseText, first);
      const after = headText === null ? [] : functionsOf(headText, file);
      for (const change of changesOf(file, first, before, after)) {
        expected.set(change, (expected.get(change) ?? 0) + 1);
      }
    } catch {
      unreadable.add(file); // Babel gave up on it: not every syntax error is recoverable.
    }
  }
  return { expected, unreadable };
}

const shas = git(
  "rev-list",
  "--first-parent",
  "--no-merges",
  `--max-count=${commits * step + step}`,
  "HEAD",
)
  .trim()
  .split("\n");
let unreadableFiles = 0;
let unnamed = 0;
const signatures = { judged: 0, agreed: 0 };
let agreed = 0;
let extra = 0;
let missed = 0;
const differences: string[] = [];
for (let i = 0; i + step < shas.length && i / step < commits; i += step) {
  const [head, base] = [shas[i] as string, shas[i + step] as string];
  const { expected, unreadable } = expectedChanges(base, head);
  unreadableFiles += unreadable.size;
  const take = (change: string) => {
    const left = expected.get(change) ?? 0;
    if (left === 0) return false;
    if (left === 1) expected.delete(change);
    else expected.set(change, left - 1);
    return true;
  };
  const source = await openLocalGitSource({ repo, base, head });
  const range = `${base.slice(0, 8)}..${head.slice(0, 8)}`;
  for (const fn of (await collectChanges(source, { callers: false })).functions) {
    if (unreadable.has(fn.file)) continue;
    const change = `${fn.file}|${fn.name}|${fn.change}|${fn.startLine}|${fn.endLine}`;
    if (take(change)) {
      agreed++;
      const expectedSignature = signatureChanged.get(change);
      if (fn.change === "modified" && expectedSignature !== undefined) {
        signatures.judged++;
        if (expectedSignature === fn.signatureChanged) signatures.agreed++;
        else {
          differences.push(
            `${range} signatureChanged ${fn.signatureChanged}, expected ${expectedSignature}: ${change}`,
          );
        }
      }
    }
    // Where the second reading leaves the name open, the location and the change are judged.
    else if (take(`${fn.file}|?|${fn.change}|${fn.startLine}|${fn.endLine}`)) {
      agreed++;
      unnamed++;
    } else {
      extra++;
      differences.push(`${range} reported, not expected: ${change}`);
    }
  }
  for (const [change, count] of expected) {
    missed += count;
    differences.push(
      `${range} expected, not reported: ${change}${count > 1 ? ` (${count}x)` : ""}`,
    );
  }
}
const precision = agreed / (agreed + extra || 1);
const recall = agreed / (agreed + missed || 1);
const f1 = (2 * precision * recall) / (precision + recall || 1);
console.log(
  `${unreadableFiles} file versions Babel could not read were left out; ${unnamed} of the agreed changes it could not name were judged by file, lines and change only.`,
);
console.log(
  `${agreed} changes agreed, ${extra} reported but not expected, ${missed} expected but not reported: precision ${precision.toFixed(4)}, recall ${recall.toFixed(4)}, F1 ${f1.toFixed(4)}`,
);
console.log(
  `signatureChanged agreed on ${signatures.agreed} of ${signatures.judged} modified functions.`,
);
for (const line of differences.slice(0, 40)) console.log(line);
