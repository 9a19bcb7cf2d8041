/**
 * Server-side settings of the GitHub App, read from the environment once at start-up.
 * Per-repo behaviour lives in `.github/faultline.yml`; these are the operator's knobs.
 */
import { z } from "zod";
import { UsageError } from "../errors.ts";

const flag = z
  .enum(["true", "false", "1", "0", "yes", "no"])
  .transform((value) => value === "true" || value === "1" || value === "yes");

const positiveInt = (min: number, max: number) => z.coerce.number().int().min(min).max(max);

/** The env variables, by name: the schema doubles as their documentation. */
export const appEnvSchema = z.object({
  FAULTLINE_CLICKHOUSE_URL: z
    .url()
    .optional()
    .describe("ClickHouse HTTP(S) URL holding the OTel Collector tables; unset: no telemetry."),
  FAULTLINE_CLICKHOUSE_USER: z.string().min(1).optional().describe("ClickHouse user."),
  FAULTLINE_CLICKHOUSE_PASSWORD: z.string().optional().describe("ClickHouse password."),
  FAULTLINE_CLICKHOUSE_DATABASE: z.string().min(1).optional().describe("ClickHouse database."),
  FAULTLINE_CONCURRENCY: positiveInt(1, 64).default(4).describe("Analyses running at once."),
  FAULTLINE_ANALYSIS_TIMEOUT_MS: positiveInt(1_000, 3_600_000)
    .default(300_000)
    .describe("Whole analysis of one PR, end to end."),
  FAULTLINE_TELEMETRY_TIMEOUT_MS: positiveInt(100, 600_000)
    .default(60_000)
    .describe("One telemetry call (opening the store, one query set)."),
  FAULTLINE_FAIL_CLOSED: flag
    .optional()
    .describe("Fail checks when telemetry is unreachable, for every repo (repos may also opt in)."),
  FAULTLINE_CHECK_NAME: z.string().min(1).max(100).default("Faultline").describe("Check run name."),
});

export interface ClickHouseSettings {
  url: string;
  username?: string;
  password?: string;
  database?: string;
}

export interface AppSettings {
  /** Null: no server-wide telemetry (every check says so and stays neutral). */
  clickhouse: ClickHouseSettings | null;
  concurrency: number;
  analysisTimeoutMs: number;
  telemetryTimeoutMs: number;
  /** Forces `gate.failClosed` on for every repo when true. */
  failClosed: boolean;
  checkName: string;
}

export const defaultAppSettings = (): AppSettings => settingsFromEnv({});

/**
 * Validates the app's environment variables.
 * @example settingsFromEnv({ FAULTLINE_CONCURRENCY: "8" }).concurrency // 8
 * @throws UsageError naming each bad variable and what it allows.
 */
export function settingsFromEnv(env: NodeJS.ProcessEnv = process.env): AppSettings {
  const picked = Object.fromEntries(
    Object.keys(appEnvSchema.shape)
      .map((key) => [key, env[key]])
      .filter(([, value]) => value !== undefined && value !== ""),
  );
  const parsed = appEnvSchema.safeParse(picked);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => {
      const name = String(issue.path[0] ?? "environment");
      // Never echo a value: it may be a password.
      return `${name}: ${issue.message}`;
    });
    throw new UsageError(`invalid Faultline app settings:\n${lines.join("\n")}`);
  }
  const e = parsed.data;
  return {
    clickhouse: e.FAULTLINE_CLICKHOUSE_URL
      ? {
          url: e.FAULTLINE_CLICKHOUSE_URL,
          ...(e.FAULTLINE_CLICKHOUSE_USER ? { username: e.FAULTLINE_CLICKHOUSE_USER } : {}),
          ...(e.FAULTLINE_CLICKHOUSE_PASSWORD !== undefined
            ? { password: e.FAULTLINE_CLICKHOUSE_PASSWORD }
            : {}),
          ...(e.FAULTLINE_CLICKHOUSE_DATABASE ? { database: e.FAULTLINE_CLICKHOUSE_DATABASE } : {}),
        }
      : null,
    concurrency: e.FAULTLINE_CONCURRENCY,
    analysisTimeoutMs: e.FAULTLINE_ANALYSIS_TIMEOUT_MS,
    telemetryTimeoutMs: e.FAULTLINE_TELEMETRY_TIMEOUT_MS,
    failClosed: e.FAULTLINE_FAIL_CLOSED ?? false,
    checkName: e.FAULTLINE_CHECK_NAME,
  };
}
