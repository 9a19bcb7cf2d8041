import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { configSchema } from "../../../src/config.ts";
import { collectorLockPath } from "../../../src/telemetry/collector-lock.ts";
import { openTelemetryStore } from "../../../src/telemetry/open-store.ts";

const BIN = join(import.meta.dirname, "../../../bin/faultline.js");
let dir: string;
let child: ChildProcess | null = null;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "faultline-collect-"));
});

afterAll(() => {
  if (child && child.exitCode === null) child.kill("SIGKILL");
  rmSync(dir, { recursive: true, force: true });
});

function spansPayload(count: number, nowNs: bigint) {
  return JSON.stringify({
    resourceSpans: [
      {
        resource: {
          attributes: [
            { key: "service.name", value: { stringValue: "shop" } },
            { key: "service.version", value: { stringValue: "1a2b3c4d" } },
          ],
        },
        scopeSpans: [
          {
            scope: { name: "manual" },
            spans: Array.from({ length: count }, (_, i) => ({
              traceId: (i + 1).toString(16).padStart(32, "0"),
              spanId: (i + 1).toString(16).padStart(16, "0"),
              name: "OrderService.checkout",
              kind: 1,
              startTimeUnixNano: `${nowNs}`,
              endTimeUnixNano: `${nowNs + 7_000_000n}`,
              attributes: [
                { key: "code.function.name", value: { stringValue: "OrderService.checkout" } },
                { key: "code.file.path", value: { stringValue: "/srv/app/src/orders.js" } },
              ],
              status: i < 3 ? { code: 2, message: "boom" } : {},
            })),
          },
        ],
      },
    ],
  });
}

describe("faultline collect", () => {
  it("receives OTLP, serves queries to other processes while running, and flushes on SIGTERM", async () => {
    const db = join(dir, "store");
    child = spawn(process.execPath, [BIN, "collect", "--db", db, "--port", "0"], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stderr = "";
    child.stderr?.on("data", (chunk) => {
      stderr += String(chunk);
    });
    const firstLine = await new Promise<string>((resolve, reject) => {
      const lines = createInterface({ input: child?.stdout as NodeJS.ReadableStream });
      lines.once("line", resolve);
      child?.once("exit", (code) => reject(new Error(`collect exited ${code}: ${stderr}`)));
    });
    const { otlp } = JSON.parse(firstLine) as { otlp: string };
    expect(existsSync(collectorLockPath(db))).toBe(true);

    const nowNs = BigInt(Date.now()) * 1_000_000n;
    const response = await fetch(`${otlp}/v1/traces`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: spansPayload(20, nowNs),
    });
    expect(response.status).toBe(200);

    // While collect owns the chDB directory, the store reaches it over ClickHouse HTTP.
    const config = configSchema.parse({});
    const store = await openTelemetryStore({ config, dataDir: db });
    expect(store.connection.kind).toBe("server");
    const request = {
      functions: [{ file: "src/orders.js", name: "OrderService.checkout" }],
      window: { from: new Date(Date.now() - 3_600_000), to: new Date(Date.now() + 60_000) },
    };
    let calls = 0;
    for (let attempt = 0; attempt < 50 && calls < 20; attempt++) {
      const result = await store.functionTelemetry(request);
      calls = result.functions.get("src/orders.js#OrderService.checkout")?.current.calls ?? 0;
      if (calls < 20) await new Promise((r) => setTimeout(r, 100));
    }
    expect(calls).toBe(20);
    await store.close();

    // Accepted just before SIGTERM: must still be written.
    const late = await fetch(`${otlp}/v1/traces`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: spansPayload(5, nowNs + 1_000_000_000n),
    });
    expect(late.status).toBe(200);
    const exitCode = await new Promise<number | null>((resolve) => {
      child?.once("exit", resolve);
      child?.kill("SIGTERM");
    });
    expect(exitCode).toBe(0);
    expect(stderr).toMatch(/25 spans and 0 log records accepted, 25 rows written/);
    expect(existsSync(collectorLockPath(db))).toBe(false);

    // Collector gone: this process may open chDB itself.
    const direct = await openTelemetryStore({ config, dataDir: db });
    expect(direct.connection.kind).toBe("embedded");
    const rows = await direct.connection.query<{ n: number; errors: number }>(
      "SELECT count() AS n, countIf(StatusCode = 'Error') AS errors FROM default.otel_traces",
    );
    expect(rows.map((r) => [Number(r.n), Number(r.errors)])).toEqual([[25, 6]]);
    await direct.close();
  });
});
