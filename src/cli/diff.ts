import type { Command } from "commander";

export function registerDiff(program: Command): void {
  program.command("diff").description("(not built yet)");
}
