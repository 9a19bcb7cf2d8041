/**
 * `npm run demo`: Faultline end to end on real telemetry, with nothing to install or run
 * beforehand. Options: --seconds N (load duration, default 20; env FAULTLINE_DEMO_SECONDS),
 * --out DIR (default ./faultline-demo), --rate N (requests/s, default 80), --seed N.
 */
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { UserError } from "../src/errors.ts";
import { ProcessGroup } from "./demo/process-group.ts";
import { runDemo } from "./demo/run-demo.ts";

const projectRoot = fileURLToPath(new URL("..", import.meta.url));

function positive(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) {
    process.stderr.write(`demo: --${name} must be a positive number, got "${value}"\n`);
    process.exit(2);
  }
  return n;
}

const USAGE = `Usage: npm run demo [-- --seconds N] [--out DIR] [--rate N] [--seed N]
  --seconds N  how long the shop runs under load (default 20; env FAULTLINE_DEMO_SECONDS)
  --out DIR    output directory, replaced on every run (default ./faultline-demo)
  --rate N     requests per second the load generator aims for (default 80)
  --seed N     seed of the generated traffic (default 7)
`;

function parseOptions(): Record<string, string | boolean | undefined> {
  try {
    return parseArgs({
      options: {
        seconds: { type: "string" },
        out: { type: "string" },
        rate: { type: "string" },
        seed: { type: "string" },
        help: { type: "boolean", short: "h" },
      },
    }).values;
  } catch (error) {
    process.stderr.write(`demo: ${(error as Error).message}\n${USAGE}`);
    process.exit(2);
  }
}

const values = parseOptions() as {
  seconds?: string;
  out?: string;
  rate?: string;
  seed?: string;
  help?: boolean;
};
if (values.help) {
  process.stdout.write(USAGE);
  process.exit(0);
}

const group = new ProcessGroup();
const controller = new AbortController();
let interrupted = false;
const interrupt = (signal: NodeJS.Signals): void => {
  if (interrupted) return;
  interrupted = true;
  process.stderr.write(`\ndemo: ${signal} received, stopping everything it started…\n`);
  controller.abort();
  void group.stopAll(3_000);
  // The run unwinds and exits 130 below, after closing the embedded ClickHouse: exiting with
  // it open can crash its threads (SIGSEGV). Should the unwinding hang, leave anyway.
  setTimeout(() => process.exit(130), 15_000).unref();
};
process.on("SIGINT", interrupt);
process.on("SIGTERM", interrupt);
// Last resort: whatever happens, no child outlives the demo.
process.on("exit", () => group.killAllNow());

const started = Date.now();
try {
  const result = await runDemo(
    {
      projectRoot,
      outDir: resolve(values.out ?? "faultline-demo"),
      seconds: positive("seconds", values.seconds ?? process.env.FAULTLINE_DEMO_SECONDS, 20),
      ratePerSecond: positive("rate", values.rate, 80),
      seed: positive("seed", values.seed, 7),
      log: (line) => process.stdout.write(`${line}\n`),
      signal: controller.signal,
    },
    group,
  );
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  process.stdout.write(
    `\nDone in ${seconds}s: ${result.requests} requests → ${result.report.level} risk (${result.report.score}), check ${result.report.gate.conclusion}.\n` +
      `  The comment:  ${result.reportPath}\n` +
      `  The PR:       git -C ${result.repoDir} log --oneline --graph --all\n`,
  );
} catch (error) {
  if (!interrupted) {
    // A user's mistake gets its one-line message; anything else the whole stack.
    const detail =
      error instanceof UserError
        ? error.message
        : error instanceof Error
          ? (error.stack ?? error.message)
          : String(error);
    process.stderr.write(`\ndemo failed: ${detail}\n`);
    process.exitCode = error instanceof UserError ? error.exitCode : 1;
  }
} finally {
  await group.stopAll();
  if (interrupted) process.exit(130);
}
