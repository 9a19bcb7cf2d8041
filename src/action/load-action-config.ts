import { readFile } from "node:fs/promises";
import { isAbsolute, join, relative } from "node:path";
import type { Config } from "../config.ts";
import { UsageError } from "../errors.ts";
import { loadConfigFile } from "../load-config.ts";
import { renderMessage } from "../report/render-message.ts";
import type { ActionInputs } from "./action-inputs.ts";

export interface ActionConfig {
  config: Config;
  /** Template overrides read from the workspace (`templates.*` in the config). */
  commentTemplate: string | undefined;
}

/**
 * Reads the workspace's configuration (defaults when the file is absent), then applies
 * the inputs that override it: `fail-on` and `clickhouse-database`.
 */
export async function loadActionConfig(
  workspace: string,
  inputs: ActionInputs,
): Promise<ActionConfig> {
  const path = inWorkspace(workspace, inputs.config, "config");
  const loaded = await loadConfigFile(path);
  const config: Config = {
    ...loaded,
    gate: { ...loaded.gate, failOn: inputs.failOn ?? loaded.gate.failOn },
    telemetry: {
      ...loaded.telemetry,
      database: inputs.clickhouseDatabase ?? loaded.telemetry.database,
    },
  };
  let commentTemplate: string | undefined;
  if (config.templates.comment) {
    const templatePath = inWorkspace(workspace, config.templates.comment, "templates.comment");
    try {
      commentTemplate = await readFile(templatePath, "utf8");
    } catch (error) {
      throw new UsageError(
        renderMessage("action-inputs", {
          kind: "template-unreadable",
          config: inputs.config,
          path: config.templates.comment,
          error: (error as Error).message,
        }),
      );
    }
  }
  return { config, commentTemplate };
}

function inWorkspace(workspace: string, path: string, what: string): string {
  const full = isAbsolute(path) ? path : join(workspace, path);
  if (relative(workspace, full).startsWith("..")) {
    throw new UsageError(
      renderMessage("action-inputs", { kind: "outside-repository", what, path }),
    );
  }
  return full;
}
