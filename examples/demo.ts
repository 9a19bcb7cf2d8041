/**
 * `npm run demo`: Faultline end to end on real telemetry, with nothing to install or run
 * beforehand. Options: --seconds N (load duration, default 20; env FAULTLINE_DEMO_SECONDS),
 * --out DIR (default ./faultline-demo), --rate N (requests/s, default 80), --seed N.
 */
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
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

const { values } = parseArgs({
  options: {
    seconds: { type: "string" },
    out: { type: "string" },
    rate: { type: "string" },
    seed: { type: "string" },
  },
});

const group = new ProcessGroup();
const controller = new AbortController();
let interrupted = false;
const interrupt = (signal: NodeJS.Signals): void => {
  if (interrupted) return;
  interrupted = true;
  process.stderr.write(`\ndemo: ${signal} received, stopping everything it started…\n`);
  controller.abort();
  void group.stopAll(3_000).finally(() => process.exit(130));
};
process.on("SIGINT", interrupt);
process.on("SIGTERM", interrupt);
// Last resort: whatever happens, no child outlives the demo.
process.on("exit", () => group.killAllNow());

try {
  await runDemo(
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
} catch (error) {
  if (!interrupted) {
    process.stderr.write(
      `\ndemo failed: ${error instanceof Error ? error.stack : String(error)}\n`,
    );
    process.exitCode = 1;
  }
} finally {
  await group.stopAll();
}
