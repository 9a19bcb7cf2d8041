/** Starts `faultline collect` (the OTLP/HTTP receiver) on an embedded chDB store. */
import { join } from "node:path";
import { type ProcessGroup, type StartedProcess, waitForLine } from "./process-group.ts";

export interface RunningCollector {
  process: StartedProcess;
  endpoint: string;
}

export async function startCollector(params: {
  group: ProcessGroup;
  projectRoot: string;
  dataDir: string;
}): Promise<RunningCollector> {
  const process = params.group.start(
    "faultline collect",
    globalThis.process.execPath,
    [
      join(params.projectRoot, "bin/faultline.js"),
      "collect",
      "--port",
      "0",
      "--db",
      params.dataDir,
    ],
    { cwd: params.projectRoot },
  );
  const line = await waitForLine(
    process,
    (l) => /listening|http:\/\/127\.0\.0\.1:\d+/.test(l),
    60_000,
  );
  const port = /127\.0\.0\.1:(\d+)/.exec(line)?.[1];
  if (!port) throw new Error(`could not read the receiver's port from: ${line}`);
  return { process, endpoint: `http://127.0.0.1:${port}` };
}
