/**
 * The `faultline` command line. Each command lives in `src/cli/<command>.ts` and
 * registers itself here; this file only wires them and maps errors to exit codes.
 */
import { Command, CommanderError } from "commander";
import { registerAnalyze } from "./cli/analyze.ts";
import { registerCollect } from "./cli/collect.ts";
import { registerDb } from "./cli/db.ts";
import { registerDiff } from "./cli/diff.ts";
import { registerIncidents } from "./cli/incidents.ts";
import { registerScenarios } from "./cli/scenarios.ts";
import { UserError } from "./errors.ts";

export function buildProgram(): Command {
  const program = new Command("faultline")
    .description(
      "Pre-merge impact analysis: what production says about the functions a change touches.",
    )
    .showHelpAfterError("(run with --help for usage)")
    .exitOverride();
  for (const register of [
    registerDiff,
    registerAnalyze,
    registerScenarios,
    registerDb,
    registerCollect,
    registerIncidents,
  ]) {
    register(program);
  }
  return program;
}

/** Runs the CLI; resolves to the process exit code. */
export async function main(argv: readonly string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync([...argv], { from: "user" });
    return typeof process.exitCode === "number" ? process.exitCode : 0;
  } catch (error) {
    if (error instanceof CommanderError) {
      // Commander has printed its message already; help and version exit 0.
      return error.exitCode === 0 ? 0 : 2;
    }
    if (error instanceof UserError) {
      process.stderr.write(`faultline: ${error.message}\n`);
      return error.exitCode;
    }
    throw error;
  }
}
