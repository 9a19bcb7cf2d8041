/** Starts the shop (from the demo repo's working tree) the way it runs in production. */
import { createRequire } from "node:module";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { type ProcessGroup, type StartedProcess, waitForLine } from "./process-group.ts";

export interface RunningService {
  process: StartedProcess;
  baseUrl: string;
}

export async function startService(params: {
  group: ProcessGroup;
  repoDir: string;
  deployedSha: string;
  otlpEndpoint: string;
  sampleRate?: string;
}): Promise<RunningService> {
  // tsx lets the service load `faultline/instrument` straight from its TypeScript source.
  const tsx = pathToFileURL(createRequire(import.meta.url).resolve("tsx/esm")).href;
  const process = params.group.start(
    "shop service",
    globalThis.process.execPath,
    ["--import", tsx, join(params.repoDir, "src/server.js")],
    {
      cwd: params.repoDir,
      env: {
        ...globalThis.process.env,
        PORT: "0",
        GIT_SHA: params.deployedSha,
        OTEL_SERVICE_NAME: "shop",
        OTEL_EXPORTER_OTLP_ENDPOINT: params.otlpEndpoint,
        // Capture inputs of half the calls: a short demo still sees every kind of input.
        FAULTLINE_SAMPLE_RATE: params.sampleRate ?? "0.5",
      },
    },
  );
  const line = await waitForLine(process, (l) => l.startsWith('{"listening"'), 30_000);
  const { listening } = JSON.parse(line) as { listening: number };
  return { process, baseUrl: `http://127.0.0.1:${listening}` };
}
