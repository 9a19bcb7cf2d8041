import { ATTR } from "./attribute-names.ts";
import { lastSegment } from "./function-names.ts";
import { matchCodeKey } from "./match-code-key.ts";
import { type MappedPath, stemOf } from "./path-mapper.ts";
import { filePathOf, functionNameOf } from "./schema.ts";
import type { TableNames } from "./table-names.ts";
import type { ClickHouseConnection, InputSample, TelemetryRequest } from "./types.ts";

type Num = number | string;

/**
 * Inputs stamped up to this far after the window still count: span clocks can run ahead of
 * the analysing machine's (host skew; OTel JS timestamps drift from the wall clock in
 * long-running processes), and the freshest inputs would otherwise be missed.
 */
const CLOCK_SKEW_MS = 15 * 60_000;

/**
 * Captured production inputs (`faultline.args` and the call's outcome, written by
 * `faultline/instrument`) of the requested functions, identical calls grouped and counted,
 * most frequent first. Values were redacted at capture.
 */
export async function queryInputSamples(
  connection: ClickHouseConnection,
  tables: TableNames,
  mapPath: (deployed: string) => MappedPath | null,
  request: TelemetryRequest & { limitPerFunction: number },
): Promise<InputSample[]> {
  const functions = request.functions;
  if (functions.length === 0 || request.limitPerFunction <= 0) return [];
  const rows = await connection.query<{
    filePath: string;
    functionName: string;
    args: string;
    outcome: string;
    result: string;
    errorType: string;
    errorMessage: string;
    count: Num;
    last: Num;
    version: string;
  }>(
    String.raw`SELECT FilePath AS filePath, FunctionName AS functionName, Args AS args, Outcome AS outcome,
            Result AS result, ErrorType AS errorType, ErrorMessage AS errorMessage, count() AS count,
            toUnixTimestamp64Milli(toDateTime64(max(Timestamp), 3, 'UTC')) AS last,
            argMax(ServiceVersion, Timestamp) AS version
     FROM (
       SELECT Timestamp, ${filePathOf("SpanAttributes")} AS FilePath, ${functionNameOf("SpanAttributes")} AS FunctionName,
              SpanAttributes['${ATTR.args}'] AS Args, SpanAttributes['${ATTR.outcome}'] AS Outcome,
              SpanAttributes['${ATTR.result}'] AS Result, SpanAttributes['${ATTR.errorType}'] AS ErrorType,
              SpanAttributes['${ATTR.errorMessage}'] AS ErrorMessage,
              ResourceAttributes['service.version'] AS ServiceVersion
       FROM ${tables.traces}
       WHERE Timestamp >= {fromS:DateTime('UTC')} AND Timestamp < {toS:DateTime('UTC')}
         AND mapContains(SpanAttributes, '${ATTR.args}')
         AND (empty({services:Array(String)}) OR has({services:Array(String)}, ServiceName))
     )
     WHERE has({stems:Array(String)}, replaceRegexpOne(arrayElement(splitByChar('/', FilePath), -1), '\\.[^.]*$', ''))
        OR has({lastNames:Array(String)}, arrayElement(splitByChar('.', FunctionName), -1))
     GROUP BY FilePath, FunctionName, Args, Outcome, Result, ErrorType, ErrorMessage
     ORDER BY count DESC, last DESC
     LIMIT {perKey:UInt32} BY FilePath, FunctionName`,
    {
      fromS: Math.floor(request.window.from.getTime() / 1000),
      toS: Math.ceil((request.window.to.getTime() + CLOCK_SKEW_MS) / 1000),
      services: request.services ?? [],
      stems: [...new Set(functions.map((f) => stemOf(f.file)))],
      lastNames: [...new Set(functions.map((f) => lastSegment(f.name)))],
      perKey: request.limitPerFunction,
    },
  );
  const perFunction = new Map<number, Map<string, InputSample>>();
  for (const row of rows) {
    for (const index of matchCodeKey(functions, mapPath, row.filePath, row.functionName)) {
      const key = functions[index];
      if (!key) continue;
      const outcome: InputSample["outcome"] =
        row.outcome === "throw"
          ? { kind: "throw", type: row.errorType || "Error", message: row.errorMessage }
          : { kind: "return", value: row.result };
      const identity = JSON.stringify([row.args, outcome]);
      const samples = perFunction.get(index) ?? new Map<string, InputSample>();
      perFunction.set(index, samples);
      const lastSeen = new Date(Number(row.last)).toISOString();
      const existing = samples.get(identity);
      if (existing) {
        existing.count += Number(row.count);
        if (lastSeen > existing.lastSeen) existing.lastSeen = lastSeen;
        continue;
      }
      samples.set(identity, {
        key,
        args: row.args,
        outcome,
        count: Number(row.count),
        lastSeen,
        version: row.version === "" ? null : row.version,
      });
    }
  }
  const out: InputSample[] = [];
  for (const index of [...perFunction.keys()].sort((a, b) => a - b)) {
    const samples = [...(perFunction.get(index)?.values() ?? [])]
      .sort((a, b) => b.count - a.count || b.lastSeen.localeCompare(a.lastSeen))
      .slice(0, request.limitPerFunction);
    out.push(...samples);
  }
  return out;
}
