/**
 * The Action's edge: reads inputs and the runner's environment, calls the recipe in
 * `main.ts`, then sets outputs, writes the job summary, emits annotations and fails the
 * job when the gate trips. The only file that touches `@actions/core`.
 */
import { readFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import * as core from "@actions/core";
import { UserError } from "../errors.ts";
import {
  ACTION_INPUT_NAMES,
  type ActionInputName,
  type ActionInputs,
  parseActionInputs,
} from "./action-inputs.ts";
import type { ActionResult } from "./main.ts";
import { type PullRequestContext, pullRequestContext } from "./pull-request-context.ts";

/** Runs the Action; never throws (a failure becomes `core.setFailed`). */
export async function run(): Promise<void> {
  const env = process.env;
  try {
    const inputs = readInputs();
    for (const secret of [inputs.clickhousePassword, inputs.githubToken, inputs.clickhouseUrl]) {
      if (secret) core.setSecret(secret);
    }
    const workspace = resolve(env.GITHUB_WORKSPACE ?? process.cwd());
    // Loaded here, not at the top: the recipe pulls in the native tree-sitter bindings,
    // and a runner they cannot load on must still get a readable failure.
    const { runFaultlineAction } = await import("./main.ts");
    const result = await runFaultlineAction({
      inputs,
      workspace,
      pullRequest: await readPullRequest(env),
      apiUrl: env.GITHUB_API_URL ?? "https://api.github.com",
      serverUrl: env.GITHUB_SERVER_URL ?? "https://github.com",
      outputDir: join(resolve(env.RUNNER_TEMP ?? join(workspace, ".faultline")), "faultline"),
      log: (message) => core.info(message),
      warn: (message) => core.warning(message),
    });
    if ("skipped" in result) core.notice(result.skipped);
    else await publish(result);
  } catch (error) {
    if (error instanceof UserError) {
      core.setFailed(`Faultline: ${error.message}`);
    } else {
      core.setFailed(
        `Faultline failed unexpectedly: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
      );
    }
  }
}

function readInputs(): ActionInputs {
  const raw = {} as Record<ActionInputName, string>;
  for (const [key, name] of Object.entries(ACTION_INPUT_NAMES) as [ActionInputName, string][]) {
    raw[key] = core.getInput(name);
  }
  return parseActionInputs(raw);
}

async function readPullRequest(env: NodeJS.ProcessEnv): Promise<PullRequestContext> {
  let payload: unknown = {};
  if (env.GITHUB_EVENT_PATH) {
    try {
      payload = JSON.parse(await readFile(env.GITHUB_EVENT_PATH, "utf8"));
    } catch (error) {
      throw new UserError(
        `cannot read the event payload at GITHUB_EVENT_PATH (${env.GITHUB_EVENT_PATH}): ${(error as Error).message}`,
      );
    }
  }
  return pullRequestContext(payload, env.GITHUB_REPOSITORY ?? "");
}

async function publish(result: ActionResult): Promise<void> {
  const { report } = result;
  core.setOutput("risk-level", report.level);
  // Whole points, as the comment shows them.
  core.setOutput("risk-score", String(Math.round(report.score)));
  core.setOutput("report-json", result.reportJsonPath);
  core.setOutput("scenarios-dir", result.scenariosDir);

  for (const annotation of result.annotations) {
    const emit = { failure: core.error, warning: core.warning, notice: core.notice }[
      annotation.annotation_level
    ];
    emit(annotation.message, {
      title: annotation.title,
      file: annotation.path,
      startLine: annotation.start_line,
      endLine: annotation.end_line,
    });
  }
  if (process.env.GITHUB_STEP_SUMMARY) {
    await core.summary.addRaw(result.summary, true).write();
  } else {
    core.info(result.summary);
  }

  if (report.gate.conclusion === "failure") {
    core.setFailed(result.gateMessage);
  } else {
    core.info(result.gateMessage);
  }
}
