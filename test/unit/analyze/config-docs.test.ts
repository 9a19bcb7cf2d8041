import { readFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import {
  configJsonSchema,
  README_PATH,
  readmeWithReference,
  SCHEMA_PATH,
} from "../../../scripts/config-docs.ts";
import { parseConfig } from "../../../src/load-config.ts";

describe("generated configuration docs", () => {
  it("are up to date with src/config.ts (run `npm run config:docs`)", async () => {
    expect(await readFile(SCHEMA_PATH, "utf8")).toBe(configJsonSchema());
    const readme = await readFile(README_PATH, "utf8");
    expect(readmeWithReference(readme)).toBe(readme);
  });

  it("document every weight and an example that parses", async () => {
    const readme = await readFile(README_PATH, "utf8");
    const section = readme.slice(readme.indexOf("## Configuration reference"));
    for (const id of ["traffic", "errorRate", "noTelemetry", "fixHistory"]) {
      expect(section).toContain(`| \`risk.weights.${id}\` |`);
    }
    const example = /```yaml\n([\s\S]*?)```/.exec(section)?.[1] ?? "";
    expect(parseConfig(example, "README example").risk.weights.churn).toBe(0);
    const schema = JSON.parse(configJsonSchema()) as { properties: Record<string, unknown> };
    expect(Object.keys(schema.properties)).toContain("gate");
  });
});
