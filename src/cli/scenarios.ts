import type { Command } from "commander";

export function registerScenarios(program: Command): void {
  program.command("scenarios").description("(not built yet)");
}
