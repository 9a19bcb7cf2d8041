/**
 * `npm run bench -- diff`: `faultline diff` on a large real-world change, against a bare
 * tree-sitter parse of the same base and head files.
 *
 * The change is built from real sources installed in node_modules (OpenTelemetry, zod,
 * bullmq, yaml, Octokit, handlebars, pino, ...): base is those files in a temp git repo;
 * head edits a seeded random ~1,000 of them the way real commits do (statements added
 * inside functions, literals changed, functions renamed, header comments shifting every
 * line, files renamed, deleted and added). Prints both times, their ratio (target <= 1.5x;
 * the median of three rounds, each timing both one after another) and peak RSS.
 */
import { execFile } from "node:child_process";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { collectChanges } from "../src/code/collect-changes.ts";
import { languageFor } from "../src/code/language-for.ts";
import { openLocalGitSource } from "../src/code/local-git-source.ts";
import { toolsFor } from "../src/code/parser-pool.ts";
import { contentSkipReason, pathSkipReason } from "../src/code/skip-reason.ts";
import type { Language } from "../src/code/types.ts";

const run = promisify(execFile);
const root = join(dirname(fileURLToPath(import.meta.url)), "..", "node_modules");
const packages = [
  "@opentelemetry",
  "zod",
  "bullmq",
  "yaml",
  "@octokit",
  "handlebars",
  "pino",
  "@clickhouse",
  "neo-async",
  "undici",
  "commander",
  "ioredis",
];
const targetChangedFiles = 1400;

// A small deterministic PRNG: the same change on every run.
let seed = 42;
const random = () => {
  seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
  return seed / 2_147_483_648;
};

async function listSources(dir: string): Promise<string[]> {
  const { stdout } = await run(
    "find",
    [
      dir,
      "-type",
      "f",
      "(",
      "-name",
      "*.js",
      "-o",
      "-name",
      "*.mjs",
      "-o",
      "-name",
      "*.cjs",
      "-o",
      "-name",
      "*.ts",
      ")",
    ],
    {
      maxBuffer: 64 * 1024 * 1024,
    },
  );
  return stdout.split("\n").filter(Boolean).sort();
}

/** Repo path for an installed file: drop node_modules/dist/build so nothing is skipped by path. */
function repoPath(file: string): string {
  return relative(root, file)
    .split("/")
    .filter((segment) => !["node_modules", "dist", "build", "lib", "cjs", "esm"].includes(segment))
    .join("/");
}

/**
 * Edits a file the way a real commit does: each edit leaves code that parses (a commit that
 * breaks the syntax is rare, and takes the engine's slower whole-file path), so an insertion
 * the opener heuristic put outside a function body (`}) : f({`) is dropped.
 */
function edit(content: string, language: Language): string {
  let lines = content.split("\n");
  const openers: number[] = [];
  lines.forEach((line, index) => {
    if (
      /\)\s*(:\s*[^{]+)?\{\s*$/.test(line) &&
      !/^\s*(if|for|while|switch|catch|else)\b/.test(line)
    ) {
      openers.push(index);
    }
  });
  const parses = (text: string) => !toolsFor(language).parser.parse(text).rootNode.hasError;
  const checked = parses(content);
  const edits = 1 + Math.floor(random() * 3);
  // Chosen first, applied from the bottom up: an insertion shifts the lines below it.
  const chosen: { at: number; kind: number }[] = [];
  for (let i = 0; i < edits && openers.length > 0; i++) {
    const at = openers.splice(Math.floor(random() * openers.length), 1)[0]!;
    chosen.push({ at, kind: random() });
  }
  chosen.sort((a, b) => b.at - a.at);
  for (const { at, kind } of chosen) {
    if (kind < 0.6 || kind >= 0.8) {
      const statement =
        kind < 0.6
          ? "    if (globalThis.__faultlineTrace) globalThis.__faultlineTrace(arguments.length);"
          : "    const startedAt = Date.now();";
      const edited = [...lines.slice(0, at + 1), statement, ...lines.slice(at + 1)];
      if (!checked || parses(edited.join("\n"))) lines = edited;
    } else {
      // A rename, as an editor does it: the definition and every use in the file.
      const name = /function\s+([A-Za-z_$][\w$]*)/.exec(lines[at]!)?.[1];
      if (name) {
        const word = new RegExp(`(?<![\\w$])${name.replace(/\$/g, "\\$")}(?![\\w$])`, "g");
        for (let j = 0; j < lines.length; j++) lines[j] = lines[j]!.replace(word, `${name}Renamed`);
      }
    }
  }
  if (random() < 0.3) lines.unshift("// Copyright The Faultline Authors", "");
  return lines.join("\n");
}

async function main(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), "faultline-bench-diff-"));
  const git = (...args: string[]) =>
    run("git", ["-C", dir, ...args], { maxBuffer: 256 * 1024 * 1024 });
  try {
    // Base: real sources, deduplicated by repo path.
    const base = new Map<string, string>();
    for (const pkg of packages) {
      for (const file of await listSources(join(root, pkg))) {
        const path = repoPath(file);
        if (!languageFor(path) || pathSkipReason(path) || base.has(path)) continue;
        const content = await readFile(file, "utf8");
        if (contentSkipReason(content)) continue;
        base.set(path, content);
      }
    }
    const paths = [...base.keys()];
    const head = new Map(base);
    const changed = new Set<string>();
    while (changed.size < Math.min(targetChangedFiles, paths.length)) {
      const path = paths[Math.floor(random() * paths.length)]!;
      if (changed.has(path)) continue;
      changed.add(path);
      const roll = random();
      if (roll < 0.03) head.delete(path);
      else if (roll < 0.06) {
        head.delete(path);
        head.set(
          path.replace(/(\.[cm]?[jt]s)$/, ".moved$1"),
          edit(base.get(path)!, languageFor(path)!),
        );
      } else head.set(path, edit(base.get(path)!, languageFor(path)!));
    }
    for (let i = 0; i < 20; i++) {
      const from = paths[Math.floor(random() * paths.length)]!;
      head.set(`src/added/new-${i}${from.slice(from.lastIndexOf("."))}`, base.get(from)!);
    }

    await git("init", "-q", "-b", "main");
    await git("config", "user.email", "bench@example.com");
    await git("config", "user.name", "bench");
    const writeTree = async (files: Map<string, string>) => {
      await run("find", [
        dir,
        "-mindepth",
        "1",
        "-maxdepth",
        "1",
        "!",
        "-name",
        ".git",
        "-exec",
        "rm",
        "-rf",
        "{}",
        "+",
      ]);
      for (const [path, content] of files) {
        await mkdir(dirname(join(dir, path)), { recursive: true });
        await writeFile(join(dir, path), content);
      }
      await git("add", "-A");
      await git("commit", "-q", "-m", "snapshot");
    };
    await writeTree(base);
    await writeTree(head);

    // The same base+head files the engine parses: both sides of every changed source file.
    const { stdout: nameStatus } = await git("diff", "-M", "--name-status", "HEAD~1", "HEAD");
    const parseInputs: ParseInput[] = [];
    let changedFiles = 0;
    for (const line of nameStatus.split("\n").filter(Boolean)) {
      const [status, first, second] = line.split("\t");
      changedFiles += 1;
      const basePath = first!;
      const headPath = status!.startsWith("R") ? second! : first!;
      if (!status!.startsWith("A") && base.has(basePath))
        parseInputs.push({ path: basePath, content: base.get(basePath)! });
      if (!status!.startsWith("D") && head.has(headPath))
        parseInputs.push({ path: headPath, content: head.get(headPath)! });
    }

    // Each timing runs in a process of its own, as `faultline diff` does: in one process, one
    // task's garbage (the bare parse leaves 10,000 trees) is collected, and billed, in the
    // next task's runs.
    // Rounds of the three, one after another, and the ratio taken within each round: the
    // machine's speed drifts over a minute (other load), and a ratio of two timings taken far
    // apart measures the drift as much as the engine.
    const inputs = join(dir, ".git", "bench-parse-inputs.json");
    await writeFile(inputs, JSON.stringify(parseInputs));
    const rounds: { parse: Timing; diff: Timing; withoutCallers: Timing }[] = [];
    for (let round = 0; round < 3; round++) {
      rounds.push({
        parse: await measure("parse", inputs),
        diff: await measure("diff", dir),
        withoutCallers: await measure("diff-without-callers", dir),
      });
    }
    const fastest = (task: keyof (typeof rounds)[number]) =>
      rounds.map((round) => round[task]).reduce((a, b) => (a.cpu <= b.cpu ? a : b));
    const parse = fastest("parse");
    const diff = fastest("diff");
    const withoutCallers = fastest("withoutCallers");
    const ratios = rounds.map((round) => round.diff.cpu / round.parse.cpu).sort((a, b) => a - b);
    const withoutCallersRatios = rounds
      .map((round) => round.withoutCallers.cpu / round.parse.cpu)
      .sort((a, b) => a - b);
    const source = await openLocalGitSource({ repo: dir, base: "HEAD~1", head: "HEAD" });
    const changes = await collectChanges(source);
    const counts = { added: 0, modified: 0, removed: 0 };
    for (const fn of changes.functions) counts[fn.change] += 1;
    const callers = changes.functions.reduce((sum, fn) => sum + fn.callers.length, 0);
    const benchRssMb = process.resourceUsage().maxRSS / 1024;
    const cliRssMb = await cliPeakRss(dir);

    const ratio = ratios[1]!;
    const span = (sorted: number[]) =>
      `${sorted[0]!.toFixed(2)}-${sorted[sorted.length - 1]!.toFixed(2)}x`;
    console.log(
      `repo: ${head.size} files; change: ${changedFiles} files (${parseInputs.length} file versions parsed)`,
    );
    console.log(
      `changed functions: ${changes.functions.length} (${counts.added} added, ${counts.modified} modified, ${counts.removed} removed), ${callers} call sites, ${changes.skipped.length} skipped, ${changes.notices.filter((notice) => notice.includes("syntax errors")).length} head files with syntax errors`,
    );
    console.log(
      `faultline diff (engine over local git, callers on): ${diff.cpu.toFixed(0)} ms CPU, ${diff.wall.toFixed(0)} ms wall`,
    );
    console.log(
      `bare tree-sitter parse of the same base+head files: ${parse.cpu.toFixed(0)} ms CPU, ${parse.wall.toFixed(0)} ms wall`,
    );
    console.log(
      `ratio (CPU): ${ratio.toFixed(2)}x, the median of 3 rounds (${span(ratios)}) (target <= 1.5x) ${ratio <= 1.5 ? "OK" : "OVER TARGET"}; ratio (wall) of the fastest runs: ${(diff.wall / parse.wall).toFixed(2)}x`,
    );
    console.log(
      `without the call-site search (--no-callers): ${withoutCallers.cpu.toFixed(0)} ms CPU, ratio ${withoutCallersRatios[1]!.toFixed(2)}x (${span(withoutCallersRatios)})`,
    );
    console.log(
      "CPU is user+system time of a process timing only that task (best of 5); each round times the bare parse, faultline diff and diff without callers one after another, and a round's ratio compares its own timings. Wall time swings with other load on the machine; git's own CPU is in wall only.",
    );
    console.log(
      `peak RSS: ${cliRssMb.toFixed(0)} MB for one "faultline diff --format json" in its own process (this benchmark's process, after all its runs: ${benchRssMb.toFixed(0)} MB)`,
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * Peak RSS of one real CLI run (its own process): what a user's machine needs. The benchmark's
 * own peak counts every repetition's garbage, since nothing forces collection between runs.
 * Read from /proc (VmHWM): a child's getrusage peak still counts this process's pages it was
 * forked with.
 */
async function cliPeakRss(dir: string): Promise<number> {
  const cli = join(dirname(fileURLToPath(import.meta.url)), "..", "bin", "faultline.js");
  const report = [
    'import { readFileSync } from "node:fs";',
    'process.on("exit", () => {',
    '  const status = readFileSync("/proc/self/status", "utf8");',
    '  process.stderr.write("peak " + /VmHWM:\\s+(\\d+)/.exec(status)?.[1] + "\\n");',
    "});",
  ].join("\n");
  const { stderr } = await run(
    process.execPath,
    [
      "--import",
      `data:text/javascript,${encodeURIComponent(report)}`,
      cli,
      "diff",
      "--repo",
      dir,
      "--base",
      "HEAD~1",
      "--head",
      "HEAD",
      "--format",
      "json",
    ],
    { maxBuffer: 256 * 1024 * 1024 },
  );
  const kb = Number(/peak (\d+)/.exec(stderr)?.[1]);
  if (!Number.isFinite(kb)) throw new Error(`faultline diff printed no peak RSS: ${stderr}`);
  return kb / 1024;
}

interface Timing {
  cpu: number;
  wall: number;
}

type Task = "parse" | "diff" | "diff-without-callers";

/** Best of 5 runs of one task, in a fresh process running this file (see `measureHere`). */
async function measure(task: Task, input: string): Promise<Timing> {
  const { stdout } = await run(
    process.execPath,
    ["--import", "tsx", fileURLToPath(import.meta.url), "--measure", task, input],
    { maxBuffer: 16 * 1024 * 1024 },
  );
  return JSON.parse(stdout) as Timing;
}

/** In the child: warm up (module loading, grammar initialisation), then time the task. */
async function measureHere(task: Task, input: string): Promise<void> {
  for (const language of ["javascript", "typescript", "tsx"] as const)
    toolsFor(language).parser.parse("function warm() {}");
  const timing =
    task === "parse"
      ? await parseAll(JSON.parse(await readFile(input, "utf8")) as ParseInput[])
      : await best(5, async () => {
          const source = await openLocalGitSource({ repo: input, base: "HEAD~1", head: "HEAD" });
          await collectChanges(source, { callers: task === "diff" });
        });
  process.stdout.write(JSON.stringify(timing));
}

interface ParseInput {
  path: string;
  content: string;
}

function parseAll(inputs: ParseInput[]): Promise<Timing> {
  return best(5, async () => {
    for (const { path, content } of inputs) toolsFor(languageFor(path)!).parser.parse(content);
  });
}

async function best(times: number, task: () => Promise<void>): Promise<Timing> {
  const result = { cpu: Number.POSITIVE_INFINITY, wall: Number.POSITIVE_INFINITY };
  for (let i = 0; i < times; i++) {
    const cpuStart = process.cpuUsage();
    const start = performance.now();
    await task();
    const wall = performance.now() - start;
    const used = process.cpuUsage(cpuStart);
    result.cpu = Math.min(result.cpu, (used.user + used.system) / 1000);
    result.wall = Math.min(result.wall, wall);
  }
  return result;
}

const measuring = process.argv.indexOf("--measure");
if (measuring >= 0) {
  await measureHere(process.argv[measuring + 1] as Task, process.argv[measuring + 2]!);
} else {
  await main();
}
