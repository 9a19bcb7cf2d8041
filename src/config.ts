/**
 * The one configuration schema shared by the GitHub App, the Action and the CLI.
 * Users write it as `.github/faultline.yml`; the JSON Schema and the reference in the
 * README are generated from it (`npm run config:docs`). Every field has a default, so an
 * empty file is a valid configuration.
 */
import { z } from "zod";

const riskLevel = z.enum(["low", "medium", "high", "critical"]);

const weights = z
  .object({
    traffic: z
      .number()
      .min(0)
      .default(20)
      .describe("Share of the service's calls that pass through the function."),
    errorRate: z.number().min(0).default(20).describe("Share of the function's calls that fail."),
    errorTrend: z
      .number()
      .min(0)
      .default(10)
      .describe("Error rate rising against the previous window."),
    exceptions: z
      .number()
      .min(0)
      .default(10)
      .describe("Exception volume and variety attributed to the function."),
    incidents: z
      .number()
      .min(0)
      .default(15)
      .describe("Incidents on this code path, recency-weighted."),
    changeSize: z
      .number()
      .min(0)
      .default(10)
      .describe("How much of the function's own code changed."),
    blastRadius: z.number().min(0).default(10).describe("Signature changed while callers exist."),
    churn: z
      .number()
      .min(0)
      .default(5)
      .describe("Commits touching the function in the last 90 days."),
    fixHistory: z.number().min(0).default(10).describe("Past fixes and reverts of this function."),
    noTelemetry: z
      .number()
      .min(0)
      .default(8)
      .describe("Changed code production has never been seen running."),
  })
  .strict()
  .prefault({})
  .describe("Weight of each risk factor, in score points at full strength.");

const thresholds = z
  .object({
    medium: z
      .number()
      .min(0)
      .max(100)
      .default(25)
      .describe("Score from which a function is medium risk."),
    high: z
      .number()
      .min(0)
      .max(100)
      .default(50)
      .describe("Score from which a function is high risk."),
    critical: z
      .number()
      .min(0)
      .max(100)
      .default(75)
      .describe("Score from which a function is critical risk."),
  })
  .strict()
  .prefault({})
  .refine((t) => t.medium <= t.high && t.high <= t.critical, {
    message: "thresholds must be ordered: medium <= high <= critical",
  })
  .describe("Score thresholds (0-100) of the risk levels.");

export const configSchema = z
  .object({
    services: z
      .array(
        z
          .object({
            paths: z
              .array(z.string().min(1))
              .min(1)
              .describe("Globs of repo paths that belong to the service."),
            service: z
              .string()
              .min(1)
              .describe("`service.name` as the service reports it to OpenTelemetry."),
          })
          .strict(),
      )
      .default([])
      .describe("Monorepos: which service runs which paths. Empty: every service."),
    window: z
      .object({
        days: z
          .number()
          .int()
          .min(1)
          .max(90)
          .default(14)
          .describe("Days of production telemetry to read, compared with the same span before."),
      })
      .strict()
      .prefault({})
      .describe("The telemetry window."),
    risk: z
      .object({ weights, thresholds })
      .strict()
      .prefault({})
      .describe("The risk model: weights and level thresholds."),
    gate: z
      .object({
        failOn: z
          .union([riskLevel, z.literal("never")])
          .default("high")
          .describe("Fail the check (or the Action) at or above this level."),
        overrideLabel: z
          .string()
          .min(1)
          .default("faultline:override")
          .describe("A PR label that turns a failing gate into success."),
        failClosed: z
          .boolean()
          .default(false)
          .describe("When telemetry is unreachable: fail (true) or report neutral (false)."),
      })
      .strict()
      .prefault({})
      .describe("The merge gate."),
    ignore: z.array(z.string().min(1)).default([]).describe("Globs of paths never analysed."),
    pathMappings: z
      .array(
        z
          .object({
            deployed: z
              .string()
              .min(1)
              .describe(
                "Path prefix as it appears in deployed stack traces, e.g. `/usr/src/app/dist/`.",
              ),
            repo: z.string().describe("Repo path prefix it maps to, e.g. `src/`."),
          })
          .strict(),
      )
      .default([])
      .describe("Deployed path prefix to repo path prefix; overrides the automatic suffix match."),
    scenarios: z
      .object({
        enabled: z
          .boolean()
          .default(true)
          .describe("Generate regression test scenarios from production inputs."),
        framework: z
          .enum(["vitest", "jest"])
          .default("vitest")
          .describe("Test framework of generated files."),
        maxPerFunction: z
          .number()
          .int()
          .min(1)
          .max(50)
          .default(8)
          .describe("Cases per function at most."),
        maxFunctions: z
          .number()
          .int()
          .min(1)
          .max(200)
          .default(10)
          .describe("Functions with scenarios at most (riskiest first)."),
      })
      .strict()
      .prefault({})
      .describe("Regression test scenarios."),
    drafts: z.boolean().default(false).describe("Analyse draft pull requests too."),
    telemetry: z
      .object({
        database: z
          .string()
          .min(1)
          .default("default")
          .describe("ClickHouse database holding the tables."),
        tracesTable: z
          .string()
          .min(1)
          .default("otel_traces")
          .describe("Spans table (OTel Collector clickhouseexporter layout)."),
        logsTable: z
          .string()
          .min(1)
          .default("otel_logs")
          .describe("Logs table (OTel Collector clickhouseexporter layout)."),
      })
      .strict()
      .prefault({})
      .describe(
        "Where telemetry lives. Connection secrets never go here: they come from the environment or Action inputs.",
      ),
    templates: z
      .object({
        comment: z
          .string()
          .optional()
          .describe("Repo path of a Handlebars template replacing `templates/comment.md.hbs`."),
        checkSummary: z
          .string()
          .optional()
          .describe("Repo path replacing `templates/check-summary.md.hbs`."),
      })
      .strict()
      .prefault({})
      .describe("Template overrides."),
  })
  .strict();

export type Config = z.infer<typeof configSchema>;
export type ConfigInput = z.input<typeof configSchema>;

export const defaultConfig = (): Config => configSchema.parse({});
