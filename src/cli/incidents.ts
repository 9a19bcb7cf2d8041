import type { Command } from "commander";

export function registerIncidents(program: Command): void {
  program.command("incidents").description("(not built yet)");
}
