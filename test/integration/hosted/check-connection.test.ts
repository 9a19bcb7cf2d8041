import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { defaultConfig } from "../../../src/config.ts";
import {
  type CheckId,
  type ConnectionCheck,
  checkConnection,
} from "../../../src/github/hosted/check-connection.ts";
import { logsTableDdl, tracesTableDdl } from "../../../src/telemetry/schema.ts";
import { openServerConnection } from "../../../src/telemetry/server-connection.ts";
import { tableNames } from "../../../src/telemetry/table-names.ts";
import { type ChdbEndpoint, startChdbEndpoint } from "../../support/chdb-endpoint.ts";
import {
  exceptionEvent,
  expressFrames,
  spanRow,
  v8Stack,
} from "../../support/telemetry-fixtures.ts";

let endpoint: ChdbEndpoint;

const target = {
  password: "",
  database: "otel",
  tracesTable: "otel_traces",
  logsTable: "otel_logs",
  serviceMappings: [{ repository: "acme/shop", services: ["checkout", "billing"] }],
};

beforeAll(async () => {
  endpoint = await startChdbEndpoint("faultline-check-", async (embedded) => {
    const names = tableNames({ ...defaultConfig().telemetry, database: "otel" });
    await embedded.command("CREATE DATABASE IF NOT EXISTS otel");
    await embedded.command(tracesTableDdl(names));
    await embedded.command(logsTableDdl(names));
    // A table with the right name in another database but the wrong shape.
    await embedded.command("CREATE DATABASE IF NOT EXISTS legacy");
    await embedded.command(
      "CREATE TABLE legacy.otel_traces (Timestamp DateTime64(9), SpanName String) ENGINE = MergeTree ORDER BY Timestamp",
    );
    // Every column name right, one type wrong: the statistics query fails.
    await embedded.command("CREATE DATABASE IF NOT EXISTS broken");
    await embedded.command(
      `CREATE TABLE broken.otel_traces (Timestamp DateTime64(9), TraceId String, SpanId String,
        ParentSpanId String, SpanName String, SpanKind String, ServiceName String,
        ResourceAttributes Map(String, String), SpanAttributes String, Duration UInt64,
        StatusCode String, \`Events.Timestamp\` Array(DateTime64(9)), \`Events.Name\` Array(String),
        \`Events.Attributes\` Array(Map(String, String))) ENGINE = MergeTree ORDER BY Timestamp`,
    );
    const stack = v8Stack(
      "TypeError",
      "Cannot read properties of undefined (reading 'total')",
      expressFrames("/usr/src/app"),
    );
    const rows = [];
    for (let i = 0; i < 10; i++) {
      rows.push(
        spanRow({
          name: "priceCart",
          service: "checkout",
          attributes:
            i < 4 ? { "code.function.name": "priceCart", "code.file.path": "src/pricing.js" } : {},
          status: i < 3 ? "Error" : "Unset",
          events: i < 3 ? [exceptionEvent("TypeError", "boom", i < 2 ? stack : "")] : [],
        }),
      );
    }
    await embedded.insert("otel.otel_traces", rows);
  });
});

afterAll(async () => {
  await endpoint?.close();
});

const byId = (checks: ConnectionCheck[], id: CheckId) => checks.find((c) => c.id === id);

describe("checkConnection against a real ClickHouse HTTP endpoint", () => {
  it("reports a failing query after connecting instead of throwing", async () => {
    const connection = await openServerConnection({ url: endpoint.url });
    try {
      const report = await checkConnection(connection, { ...target, database: "broken" });
      expect(report.ok).toBe(false);
      expect(byId(report.checks, "traces-table")?.status).toBe("pass");
      expect(byId(report.checks, "query")).toMatchObject({ status: "fail" });
      expect(String(byId(report.checks, "query")?.facts.message)).toContain("SpanAttributes");
    } finally {
      await connection.close();
    }
  });

  it("reports tables, recent spans, code.* share, stack share and silent mapped services", async () => {
    const connection = await openServerConnection({ url: endpoint.url });
    try {
      const report = await checkConnection(connection, target);
      expect(report.ok).toBe(true);
      expect(byId(report.checks, "reachable")?.status).toBe("pass");
      expect(byId(report.checks, "traces-table")?.status).toBe("pass");
      expect(byId(report.checks, "logs-table")?.status).toBe("pass");
      expect(byId(report.checks, "recent-spans")?.facts.spans).toBe(10);
      expect(byId(report.checks, "code-attributes")?.facts).toMatchObject({
        share: 40,
        withCode: 4,
      });
      expect(byId(report.checks, "exception-stacks")).toMatchObject({
        status: "warn",
        facts: { exceptions: 3, withStack: 2, share: 66.7 },
      });
      expect(byId(report.checks, "service-mapping")).toMatchObject({
        status: "warn",
        facts: { silent: ["billing"], seen: ["checkout"] },
      });
    } finally {
      await connection.close();
    }
  });

  it("fails with what is missing: database, table columns", async () => {
    const connection = await openServerConnection({ url: endpoint.url });
    try {
      const noDb = await checkConnection(connection, { ...target, database: "telemetry" });
      expect(noDb.ok).toBe(false);
      expect(byId(noDb.checks, "database")).toMatchObject({
        status: "fail",
        facts: { database: "telemetry" },
      });
      expect(byId(noDb.checks, "database")?.facts.available).toContain("otel");

      const legacy = await checkConnection(connection, { ...target, database: "legacy" });
      const traces = byId(legacy.checks, "traces-table");
      expect(traces?.status).toBe("fail");
      expect(traces?.facts.exists).toBe(true);
      expect(traces?.facts.missing).toContain("SpanAttributes");
      expect(traces?.facts.missing).not.toContain("SpanName");
      expect(byId(legacy.checks, "logs-table")).toMatchObject({
        status: "warn",
        facts: { exists: false },
      });
      expect(byId(legacy.checks, "recent-spans")).toBeUndefined();
    } finally {
      await connection.close();
    }
  });
});
