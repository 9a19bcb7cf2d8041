import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseActionInputs } from "../../../src/action/action-inputs.ts";
import { loadActionConfig } from "../../../src/action/load-action-config.ts";

let workspace: string;

const inputs = (overrides: Record<string, string> = {}) =>
  parseActionInputs({
    clickhouseUrl: "http://127.0.0.1:8123",
    clickhouseUser: "",
    clickhousePassword: "",
    clickhouseDatabase: "",
    config: "",
    failOn: "",
    comment: "",
    githubToken: "",
    base: "",
    head: "",
    ...overrides,
  });

beforeAll(async () => {
  workspace = await mkdtemp(join(tmpdir(), "faultline-action-config-"));
  await mkdir(join(workspace, ".github"));
  await writeFile(
    join(workspace, ".github/faultline.yml"),
    "gate:\n  failOn: medium\ntelemetry:\n  database: otel\ntemplates:\n  comment: .github/faultline-comment.hbs\n",
  );
  await writeFile(join(workspace, ".github/faultline-comment.hbs"), "Risk: {{level}}\n");
  await writeFile(join(workspace, "bad.yml"), "gate:\n  failOn: sometimes\n");
});

afterAll(async () => {
  await rm(workspace, { recursive: true, force: true });
});

describe("loadActionConfig", () => {
  it("reads the workspace config and its comment template", async () => {
    const { config, commentTemplate } = await loadActionConfig(workspace, inputs());
    expect(config.gate.failOn).toBe("medium");
    expect(config.telemetry.database).toBe("otel");
    expect(commentTemplate).toBe("Risk: {{level}}\n");
  });

  it("lets fail-on and clickhouse-database inputs override the file", async () => {
    const { config } = await loadActionConfig(
      workspace,
      inputs({ failOn: "critical", clickhouseDatabase: "prod" }),
    );
    expect(config.gate.failOn).toBe("critical");
    expect(config.telemetry.database).toBe("prod");
  });

  it("uses the defaults when the file is absent", async () => {
    const { config, commentTemplate } = await loadActionConfig(
      workspace,
      inputs({ config: "missing.yml" }),
    );
    expect(config.gate.failOn).toBe("high");
    expect(commentTemplate).toBeUndefined();
  });

  it("reports an invalid config with its file and line", async () => {
    await expect(loadActionConfig(workspace, inputs({ config: "bad.yml" }))).rejects.toThrow(
      /bad\.yml:2: gate\.failOn: must be one of/,
    );
  });

  it("refuses a config path outside the repository", async () => {
    await expect(
      loadActionConfig(workspace, inputs({ config: "../../etc/passwd" })),
    ).rejects.toThrow(/config must be a path inside the repository/);
  });
});
