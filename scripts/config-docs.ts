/**
 * Generates the published JSON Schema (`schema/faultline.schema.json`) and the README's
 * "Configuration reference" section from the one zod schema in `src/config.ts`, so the
 * docs cannot drift from what the code accepts. `npm run config:docs` writes both;
 * `--check` fails when either is stale (CI and a unit test use that).
 */
import { execFileSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { z } from "zod";
import { configSchema, defaultConfig } from "../src/config.ts";
import { SATURATION } from "../src/risk/risk-factors.ts";

const ROOT = fileURLToPath(new URL("../", import.meta.url));
export const SCHEMA_PATH = `${ROOT}schema/faultline.schema.json`;
export const README_PATH = `${ROOT}README.md`;
const HEADING = "## Configuration reference";

interface JsonSchema {
  type?: string | string[];
  description?: string;
  default?: unknown;
  enum?: unknown[];
  const?: unknown;
  anyOf?: JsonSchema[];
  items?: JsonSchema;
  properties?: Record<string, JsonSchema>;
  minimum?: number;
  maximum?: number;
  minItems?: number;
}

/** The JSON Schema users point their editor at (input side: every key optional). */
export function configJsonSchema(): string {
  const schema = z.toJSONSchema(configSchema, { io: "input", target: "draft-2020-12" });
  const published = {
    $schema: schema.$schema,
    title: "Faultline configuration (.github/faultline.yml)",
    ...schema,
  };
  return formatJson(`${JSON.stringify(published, null, 2)}\n`, SCHEMA_PATH);
}

/** Biome's layout (CI runs `biome check .`), so the generated file is also lint-clean. */
function formatJson(text: string, path: string): string {
  const biome = `${ROOT}node_modules/@biomejs/biome/bin/biome`;
  return execFileSync(process.execPath, [biome, "format", `--stdin-file-path=${path}`], {
    input: text,
    cwd: ROOT,
    encoding: "utf8",
  });
}

function typeOf(schema: JsonSchema): string {
  if (schema.anyOf) return schema.anyOf.map(typeOf).join(" \\| ");
  if (schema.enum) return schema.enum.map((v) => `\`${String(v)}\``).join(" \\| ");
  if (schema.const !== undefined) return `\`${String(schema.const)}\``;
  const { minimum: min, maximum: max } = schema;
  const range =
    min !== undefined && max !== undefined
      ? ` ${min}–${max}`
      : min !== undefined
        ? ` ≥ ${min}`
        : max !== undefined
          ? ` ≤ ${max}`
          : "";
  switch (schema.type) {
    case "array":
      return `list of ${schema.items ? typeOf(schema.items) : "values"}`;
    case "object":
      return "mapping";
    case "integer":
      return `integer${range}`;
    case "number":
      return `number${range}`;
    default:
      return String(schema.type ?? "value");
  }
}

const show = (value: unknown): string =>
  value === undefined ? "" : `\`${JSON.stringify(value).replace(/\|/g, "\\|")}\``;

function rows(schema: JsonSchema, path: string, out: string[]): void {
  for (const [key, child] of Object.entries(schema.properties ?? {})) {
    const name = path ? `${path}.${key}` : key;
    const leaf = child.type !== "object" || !child.properties;
    const description = (child.description ?? "").replace(/\|/g, "\\|");
    if (leaf) {
      const isEmptyObject =
        typeof child.default === "object" &&
        child.default !== null &&
        !Array.isArray(child.default);
      out.push(
        `| \`${name}\` | ${typeOf(child)} | ${isEmptyObject ? "" : show(child.default)} | ${description} |`,
      );
    } else {
      out.push(`| **\`${name}\`** | mapping | | ${description} |`);
    }
    if (child.type === "array" && child.items?.properties) rows(child.items, `${name}[]`, out);
    else if (!leaf) rows(child, name, out);
  }
}

const FACTOR_CURVES: Record<keyof ReturnType<typeof defaultConfig>["risk"]["weights"], string> = {
  traffic: `the larger of share of the service's calls ÷ ${SATURATION.trafficShare} and log₁₀(1 + calls/day) ÷ log₁₀(1 + ${SATURATION.callsPerDay.toLocaleString("en-US")})`,
  errorRate: `error rate ÷ ${SATURATION.errorRate * 100}%, × calls ÷ ${SATURATION.minCalls} below ${SATURATION.minCalls} calls (small samples are noise)`,
  errorTrend: `rise of the error rate against the previous window ÷ ${SATURATION.errorRise * 100} points (0 when flat, falling or new), with the same small-sample discount on either window`,
  exceptions: `log₁₀(1 + exceptions) ÷ log₁₀(1 + ${SATURATION.exceptions.toLocaleString("en-US")}), + 0.1 per extra exception type`,
  incidents: `Σ severity (sev0/1 = 1, sev2 = 0.8, other 0.5) × ½^(age in days ÷ ${SATURATION.incidentHalfLifeDays})`,
  changeSize: `share of the function's own code changed (1 when added or removed) × min(1, 0.3 + 0.7 × lines ÷ ${SATURATION.functionLines})`,
  blastRadius: `signature changed or function removed: 0.5 + 0.5 × log₁₀(1 + call sites) ÷ log₁₀(1 + ${SATURATION.callers}); 0.3 for an exported function with no callers in the repository`,
  churn: `commits touching the function in 90 days ÷ ${SATURATION.churn}`,
  fixHistory: `(fixes + 2 × reverts) ÷ ${SATURATION.fixes}`,
  noTelemetry:
    "1 when existing code was never seen in production or telemetry is unavailable, 0.5 for new code, 0 otherwise",
};

/** The README section: the key reference plus the risk model's defaults and why. */
export function configReference(): string {
  const schema = z.toJSONSchema(configSchema, { io: "input" }) as JsonSchema;
  const table: string[] = [];
  rows(schema, "", table);
  const config = defaultConfig();
  const weights = config.risk.weights;
  const total = Object.values(weights).reduce((sum, w) => sum + w, 0);
  const { medium, high, critical } = config.risk.thresholds;
  const production =
    weights.traffic +
    weights.errorRate +
    weights.errorTrend +
    weights.exceptions +
    weights.incidents;
  const codeOnly = weights.changeSize + weights.blastRadius + weights.churn + weights.fixHistory;
  return [
    HEADING,
    "",
    "<!-- Generated by `npm run config:docs` from src/config.ts; edit the schema, not this section. -->",
    "",
    "Faultline reads `.github/faultline.yml` from the base branch (the CLI: `--config FILE`). Every",
    "key is optional; an empty file is the defaults. Point your editor at the JSON Schema for",
    "completion: `# yaml-language-server: $schema=./schema/faultline.schema.json` (published",
    "as `schema/faultline.schema.json`). An invalid file is rejected with the key, the line and",
    "what is allowed, e.g. `.github/faultline.yml:7: gate.failOn: must be one of",
    'low|medium|high|critical|never (got "hgih")`.',
    "",
    "```yaml",
    "# .github/faultline.yml",
    "services:",
    "  - paths: ['services/api/**']",
    "    service: api",
    "window:",
    "  days: 14",
    "gate:",
    "  failOn: high",
    "ignore: ['**/*.test.ts', 'scripts/**']",
    "risk:",
    "  weights:",
    "    churn: 0          # we squash-merge: commit counts mean little here",
    "```",
    "",
    "| Key | Type | Default | Description |",
    "|:--|:--|:--|:--|",
    ...table,
    "",
    "### The risk model",
    "",
    "Each changed function gets a score from 0 to 100: every factor turns one raw figure into a",
    "signal from 0 to 1, multiplies it by its weight and adds the product (its *points*); the",
    "sum is capped at 100. The comment lists every factor with its signal, weight, points and",
    "the figure behind it, so a score can be recomputed by hand. Same inputs, same score: no",
    "randomness, no clock except the one passed in (for incident age and 90-day churn). The",
    "PR's level is its riskiest function's.",
    "",
    "| Factor | Default weight | Signal (0..1, capped at 1) |",
    "|:--|--:|:--|",
    ...Object.entries(weights).map(
      ([id, weight]) =>
        `| \`${id}\` | ${weight} | ${FACTOR_CURVES[id as keyof typeof weights].replace(/\|/g, "\\|")} |`,
    ),
    "",
    `Levels: **low** below ${medium}, **medium** from ${medium}, **high** from ${high}, **critical** from ${critical} (\`risk.thresholds\`). The gate fails at \`gate.failOn\` (default \`${config.gate.failOn}\`) or above; without telemetry it reports neutral unless \`gate.failClosed\` is set.`,
    "",
    `Why these defaults: the weights add up to ${total}, so no single factor can make a change critical on its`,
    `own, while production evidence (traffic, errors, their trend, exceptions, incidents: ${production}`,
    `points) dominates code-only evidence (change size, blast radius, churn, history: ${codeOnly}). A hot`,
    "path (≥ 20% of a service's calls) whose error rate jumps is high risk even for a small edit;",
    "the same edit to cold, healthy code stays low. Incidents halve in weight every 30 days, so",
    "last week's outage matters more than last year's. Code production has never seen counts",
    `for a little (${weights.noTelemetry}) because unknown is not the same as safe — the comment says so instead of`,
    "showing a reassuring zero. The saturation points (5% errors, 2 points of error-rate rise,",
    "1,000 exceptions, 100 call sites, 10 commits in 90 days) are where a reviewer would already",
    "call the figure alarming; beyond them more of the same adds nothing.",
    "",
  ].join("\n");
}

/** README with the section replaced (from its heading up to the next `## ` heading). */
export function readmeWithReference(readme: string): string {
  const start = readme.indexOf(`${HEADING}\n`);
  if (start < 0) throw new Error(`README.md has no "${HEADING}" heading`);
  const next = readme.indexOf("\n## ", start + HEADING.length);
  const end = next < 0 ? readme.length : next + 1;
  return `${readme.slice(0, start)}${configReference()}${next < 0 ? "" : "\n"}${readme.slice(end)}`;
}

function main(): void {
  const check = process.argv.includes("--check");
  const schema = configJsonSchema();
  const readme = readFileSync(README_PATH, "utf8");
  const updated = readmeWithReference(readme);
  let currentSchema = "";
  try {
    currentSchema = readFileSync(SCHEMA_PATH, "utf8");
  } catch {}
  if (check) {
    const stale = [
      currentSchema !== schema ? "schema/faultline.schema.json" : null,
      updated !== readme ? "README.md (Configuration reference)" : null,
    ].filter(Boolean);
    if (stale.length > 0) {
      process.stderr.write(`stale: ${stale.join(", ")}; run npm run config:docs\n`);
      process.exitCode = 1;
    }
    return;
  }
  writeFileSync(SCHEMA_PATH, schema);
  writeFileSync(README_PATH, updated);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) main();
