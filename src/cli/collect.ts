import type { Command } from "commander";

export function registerCollect(program: Command): void {
  program.command("collect").description("(not built yet)");
}
