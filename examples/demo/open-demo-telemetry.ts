/**
 * The demo's telemetry: Faultline's OTLP/HTTP receiver writing into embedded chDB, and the
 * store the analysis reads — in this process, because an embedded chDB directory belongs
 * to one process (the same pairing `faultline collect` gives the other commands).
 */
import { createFunctionLocator } from "../../src/code/function-locator.ts";
import type { SourceProvider } from "../../src/code/types.ts";
import type { Config } from "../../src/config.ts";
import { parseIncidentsFile } from "../../src/telemetry/incidents/parse-incidents-file.ts";
import { recordIncidents } from "../../src/telemetry/incidents/record-incidents.ts";
import { openTelemetryStore } from "../../src/telemetry/open-store.ts";
import { type OtlpReceiver, startOtlpReceiver } from "../../src/telemetry/otlp/otlp-receiver.ts";
import { tableNames } from "../../src/telemetry/table-names.ts";
import type { TelemetryStore } from "../../src/telemetry/types.ts";

export interface DemoTelemetry {
  store: TelemetryStore;
  receiver: OtlpReceiver;
  /** Imports an incident export (JSON or CSV), as `faultline incidents import` does; returns the count. */
  importIncidents(text: string, fileName: string): Promise<number>;
  /** The PR's source: stack frames are mapped to functions through it at analysis time. */
  useSource(source: SourceProvider): void;
  close(): Promise<void>;
}

export async function openDemoTelemetry(params: {
  config: Config;
  dataDir: string;
  deployedSha: string;
}): Promise<DemoTelemetry> {
  let source: SourceProvider | null = null;
  const current = (): SourceProvider => {
    if (!source) throw new Error("the PR source is not known yet");
    return source;
  };
  // Stack frames map to functions at the deployed commit (service.version).
  const locator = createFunctionLocator({
    readFile: (rev, path) => current().readFile(rev, path),
    listFiles: () => current().listFiles(current().head),
    fallbackRevision: params.deployedSha,
  });
  const store = await openTelemetryStore({
    config: params.config,
    locator,
    dataDir: params.dataDir,
  });
  let receiver: OtlpReceiver | null = null;
  try {
    await store.init();
    const { database, tracesTable, logsTable } = params.config.telemetry;
    receiver = await startOtlpReceiver({
      connection: store.connection,
      tracesTable: `${database}.${tracesTable}`,
      logsTable: `${database}.${logsTable}`,
      port: 0,
      flushIntervalMs: 500,
    });
  } catch (error) {
    await store.close();
    throw error;
  }
  const started = receiver;
  let closed = false;
  return {
    store,
    receiver: started,
    async importIncidents(text, fileName) {
      const parsed = parseIncidentsFile(text, fileName);
      if (parsed.errors.length > 0) {
        throw new Error(
          `${fileName}: ${parsed.errors.map((e) => `line ${e.line}: ${e.message}`).join("; ")}`,
        );
      }
      return recordIncidents(
        store.connection,
        tableNames(params.config.telemetry),
        parsed.incidents,
      );
    },
    useSource: (s) => {
      source = s;
    },
    async close() {
      if (closed) return;
      closed = true;
      try {
        await started.close();
      } finally {
        await store.close();
      }
    },
  };
}
