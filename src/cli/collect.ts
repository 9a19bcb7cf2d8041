/**
 * `faultline collect`: an OTLP/HTTP receiver writing spans and logs in the OTel Collector
 * clickhouseexporter layout, to the embedded store or a ClickHouse server. With the embedded
 * store it also answers ClickHouse HTTP queries, so `analyze` can run at the same time.
 */
import { join } from "node:path";
import type { Command } from "commander";
import { UsageError } from "../errors.ts";
import { loadConfigFile } from "../load-config.ts";
import { startClickHouseHttpServer } from "../telemetry/clickhouse-http-server.ts";
import {
  readLiveCollectorLock,
  removeCollectorLock,
  writeCollectorLock,
} from "../telemetry/collector-lock.ts";
import { openEmbeddedConnection } from "../telemetry/embedded-connection.ts";
import { migrate } from "../telemetry/migrations.ts";
import { embeddedDatabaseDir } from "../telemetry/open-store.ts";
import { startOtlpReceiver } from "../telemetry/otlp/otlp-receiver.ts";
import { openServerConnection, redactUrl } from "../telemetry/server-connection.ts";
import { tableNames } from "../telemetry/table-names.ts";
import type { ClickHouseConnection } from "../telemetry/types.ts";
import { addStoreOptions, type StoreFlags, storeOptionsFrom } from "./store-options.ts";

interface CollectFlags extends StoreFlags {
  port: string;
  host: string;
  queryPort: string;
  config?: string;
}

export function registerCollect(program: Command): void {
  addStoreOptions(
    program
      .command("collect")
      .description(
        "Receive OpenTelemetry traces and logs (OTLP/HTTP, protobuf or JSON) into the telemetry store.",
      ),
  )
    .option("--port <port>", "OTLP/HTTP port", "4318")
    .option("--host <host>", "interface to listen on (0.0.0.0 for all)", "127.0.0.1")
    .option(
      "--query-port <port>",
      "embedded store only: port answering ClickHouse HTTP queries for other commands (0: any free port)",
      "0",
    )
    .option("--config <file>", "configuration file (default: .github/faultline.yml)")
    .addHelpText(
      "after",
      `
Point your services' OpenTelemetry SDK at it:
  OTEL_EXPORTER_OTLP_ENDPOINT=http://127.0.0.1:4318 node app.js

Ctrl-C (SIGINT) or SIGTERM stops it after writing everything it accepted.

Example:
  faultline collect --db .faultline --port 4318`,
    )
    .action(async (flags: CollectFlags) => {
      await collect(flags);
    });
}

async function collect(flags: CollectFlags): Promise<void> {
  const port = parsePort(flags.port, "--port");
  const queryPort = parsePort(flags.queryPort, "--query-port");
  const config = await loadConfigFile(flags.config ?? ".github/faultline.yml");
  const selection = storeOptionsFrom(flags);
  const tables = tableNames(config.telemetry);
  const log = (line: string) => process.stderr.write(`faultline collect: ${line}\n`);
  const cleanups: (() => Promise<void> | void)[] = [];
  let connection: ClickHouseConnection;
  let target: string;
  let lock: { dataDir: string; clickhouseUrl: string } | null = null;
  if (selection.clickhouse) {
    connection = await openServerConnection(selection.clickhouse);
    cleanups.push(() => connection.close());
    target = `ClickHouse ${redactUrl(selection.clickhouse.url)}`;
    try {
      await migrate(connection, tables);
    } catch (error) {
      log(`could not create Faultline's tables (${(error as Error).message}); writing spans only`);
    }
  } else {
    const dataDir = selection.dataDir ?? join(process.cwd(), ".faultline");
    const running = readLiveCollectorLock(dataDir);
    if (running) {
      throw new UsageError(
        `"faultline collect" is already running on ${dataDir} (pid ${running.pid}, port ${running.port}). Stop it, or use another --db directory.`,
      );
    }
    const embedded = await openEmbeddedConnection(embeddedDatabaseDir(dataDir));
    connection = embedded;
    cleanups.push(() => embedded.close());
    await migrate(embedded, tables);
    const endpoint = await startClickHouseHttpServer({ connection: embedded, port: queryPort });
    cleanups.unshift(() => endpoint.close());
    lock = { dataDir, clickhouseUrl: endpoint.url };
    target = `embedded store ${dataDir} (ClickHouse HTTP for other commands: ${endpoint.url})`;
  }
  const receiver = await startOtlpReceiver({
    connection,
    tracesTable: tables.traces.replaceAll("`", ""),
    logsTable: tables.logs.replaceAll("`", ""),
    port,
    host: flags.host,
    onError: log,
  }).catch(async (error: NodeJS.ErrnoException) => {
    for (const cleanup of cleanups) await cleanup();
    if (error.code === "EADDRINUSE") {
      throw new UsageError(`port ${port} is in use: pick another with --port`);
    }
    throw error;
  });
  if (lock) {
    const { dataDir, clickhouseUrl } = lock;
    writeCollectorLock(dataDir, {
      pid: process.pid,
      port: receiver.port,
      clickhouseUrl,
      startedAt: new Date().toISOString(),
    });
    cleanups.push(() => removeCollectorLock(dataDir, process.pid));
  }
  log(`listening on ${receiver.url} (/v1/traces, /v1/logs) → ${target}`);
  // stdout carries the one machine-readable line: scripts and tests read the ports from it.
  process.stdout.write(`${JSON.stringify({ otlp: receiver.url, port: receiver.port })}\n`);

  await new Promise<void>((resolve) => {
    const stop = (signal: NodeJS.Signals) => {
      process.off("SIGINT", stop);
      process.off("SIGTERM", stop);
      log(`${signal}: writing what was accepted, then stopping`);
      resolve();
    };
    process.on("SIGINT", stop);
    process.on("SIGTERM", stop);
  });
  try {
    await receiver.close();
  } finally {
    for (const cleanup of cleanups) await cleanup();
  }
  const stats = receiver.stats();
  log(
    `stopped: ${stats.acceptedSpans} spans and ${stats.acceptedLogRecords} log records accepted, ${stats.writtenRows} rows written`,
  );
}

function parsePort(value: string, flag: string): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) {
    throw new UsageError(`${flag} ${value}: give a port number between 0 and 65535`);
  }
  return port;
}
