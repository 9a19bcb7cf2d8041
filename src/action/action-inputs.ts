/**
 * The Action's inputs: one zod schema, keyed by the camelCase name, with the `action.yml`
 * name beside it. The runner reads exactly `ACTION_INPUT_NAMES`, so an input added here
 * and forgotten there is a type error.
 */
import { z } from "zod";
import { configSchema } from "../config.ts";
import { UsageError } from "../errors.ts";
import { renderMessage } from "../report/render-message.ts";

/** `fail-on` accepts what `gate.failOn` accepts in `.github/faultline.yml`. */
const failOnSchema = configSchema.shape.gate.unwrap().shape.failOn.unwrap();

/**
 * What is wrong with an input; zod's issue messages carry these codes and
 * `templates/messages/action-inputs.hbs` words them.
 */
type InputProblem = "url-required" | "not-http-url" | "empty" | "not-revision";
const problem = (code: InputProblem) => ({ error: code });

const revision = z
  .string()
  .regex(/^[^\s-][^\s]*$/, problem("not-revision"))
  .optional();

export const actionInputsSchema = z
  .object({
    /** ClickHouse server the OTel Collector writes to; the Action has no embedded store. */
    clickhouseUrl: z.url({
      protocol: /^https?$/,
      error: (issue): InputProblem => (issue.input === undefined ? "url-required" : "not-http-url"),
    }),
    clickhouseUser: z.string().min(1, problem("empty")),
    clickhousePassword: z.string(),
    /** Empty: `telemetry.database` from the config. */
    clickhouseDatabase: z.string().min(1).optional(),
    /** Workspace-relative path of the YAML configuration. */
    config: z.string().min(1, problem("empty")),
    /** Empty: `gate.failOn` from the config. */
    failOn: failOnSchema.optional(),
    /** Create or update the PR comment. */
    comment: z.enum(["true", "false"]).transform((value) => value === "true"),
    /** Token for the comment; required only when commenting. */
    githubToken: z.string().optional(),
    /** Empty: from the pull_request event. */
    base: revision,
    head: revision,
  })
  .strict();

export type ActionInputs = z.output<typeof actionInputsSchema>;
export type ActionInputName = keyof ActionInputs;

/** camelCase key → the input's name in `action.yml`. */
export const ACTION_INPUT_NAMES = {
  clickhouseUrl: "clickhouse-url",
  clickhouseUser: "clickhouse-user",
  clickhousePassword: "clickhouse-password",
  clickhouseDatabase: "clickhouse-database",
  config: "config",
  failOn: "fail-on",
  comment: "comment",
  githubToken: "github-token",
  base: "base",
  head: "head",
} as const satisfies Record<ActionInputName, string>;

/** Defaults applied when the runner passes an empty string (e.g. when run outside `uses:`). */
const DEFAULTS: Partial<Record<ActionInputName, string>> = {
  clickhouseUser: "default",
  clickhousePassword: "",
  config: ".github/faultline.yml",
  comment: "true",
};

/** Inputs never echoed back in error messages. */
const SECRET_INPUTS: ReadonlySet<ActionInputName> = new Set([
  "clickhouseUrl",
  "clickhousePassword",
  "githubToken",
]);

/**
 * Validates raw input strings (as the runner hands them over: trimmed, "" when unset).
 * Throws a UsageError naming every wrong input and what it accepts.
 * @example parseActionInputs({ ...raw, "fail-on": "critical" }).failOn // "critical"
 */
export function parseActionInputs(raw: Record<ActionInputName, string>): ActionInputs {
  const prepared: Record<string, string | undefined> = {};
  for (const key of Object.keys(ACTION_INPUT_NAMES) as ActionInputName[]) {
    const value = raw[key].trim();
    prepared[key] = value === "" ? DEFAULTS[key] : value;
  }
  const result = actionInputsSchema.safeParse(prepared);
  if (result.success) return result.data;
  const lines = result.error.issues.map((issue) => {
    const key = issue.path[0] as ActionInputName;
    return renderMessage("action-inputs", {
      kind: "invalid-input",
      name: ACTION_INPUT_NAMES[key] ?? String(key),
      ...explain(issue),
      got: SECRET_INPUTS.has(key) ? undefined : JSON.stringify(prepared[key] ?? ""),
    });
  });
  throw new UsageError(lines.join("\n"));
}

const PROBLEMS: ReadonlySet<string> = new Set<InputProblem>([
  "url-required",
  "not-http-url",
  "empty",
  "not-revision",
]);

function explain(issue: z.core.$ZodIssue): { problem: string; values?: string; message?: string } {
  if (issue.code === "invalid_value") {
    return { problem: "one-of", values: issue.values.map(String).join("|") };
  }
  if (issue.code === "invalid_union") {
    const values = issue.errors
      .flat()
      .flatMap((inner) => (inner.code === "invalid_value" ? inner.values.map(String) : []));
    if (values.length > 0) return { problem: "one-of", values: values.join("|") };
  }
  return PROBLEMS.has(issue.message)
    ? { problem: issue.message }
    : { problem: "other", message: issue.message };
}
