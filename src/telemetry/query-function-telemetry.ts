/**
 * The one batched query set behind `TelemetryStore.functionTelemetry`: every requested
 * function at once, parameterized with arrays, current window against the previous one.
 *
 *  1. keys: which (file, function) code attributes production reports for these functions;
 *  2. stacks: distinct exception stacks that mention the files or names, attributed in JS
 *     (stack frames → repo paths → functions at the deployed commit) — which also teaches
 *     which code-less span names run a function;
 *  3. stats, hourly series, exception counts, entrypoints, incidents for the mapped keys.
 *
 * Two statements: 1 and 2 (with the keys' trace samples), then 3 (with those traces'
 * entrypoints); each is one UNION ALL of independent branches.
 */
import { createHash } from "node:crypto";
import { attributeStack, deployedRevision, type StackAttribution } from "./attribute-stack.ts";
import { detectErrorSpikes } from "./detect-error-spikes.ts";
import { lastSegment } from "./function-names.ts";
import { matchCodeKey } from "./match-code-key.ts";
import { isoForClickHouse } from "./migrations.ts";
import { type MappedPath, stemOf } from "./path-mapper.ts";
import { queryUnion } from "./query-union.ts";
import { ROLLUP_KEY } from "./schema.ts";
import type { TableNames } from "./table-names.ts";
import type { TelemetrySources } from "./telemetry-sources.ts";
import {
  type AttributionMethod,
  type ClickHouseConnection,
  type ExceptionSummary,
  type FrameLocator,
  type FunctionKey,
  type FunctionTelemetry,
  functionKeyId,
  type HourlyPoint,
  type Incident,
  type TelemetryRequest,
  type TelemetryResult,
  type WindowStats,
} from "./types.ts";

export interface FunctionTelemetryContext {
  connection: ClickHouseConnection;
  tables: TableNames;
  sources: TelemetrySources;
  mapPath: (deployed: string) => MappedPath | null;
  locator?: FrameLocator;
  redact: (text: string) => string;
  /** Faultline's own tables exist (learned mappings, incidents can be read and written). */
  ownTables: boolean;
  notices: string[];
}

// Times travel as typed DateTime parameters (Unix seconds, hour-aligned in JS): a function
// applied to a parameter is not folded to a constant, which would cost the index and a per-row call.
const H_PREV = "{prevFromH:DateTime('UTC')}";
const H_FROM = "{fromH:DateTime('UTC')}";
const H_TO = "{toS:DateTime('UTC')}";
const SERVICES =
  "(empty({services:Array(String)}) OR has({services:Array(String)}, toString(ServiceName)))";
const FILE_STEM = (col: string) =>
  String.raw`replaceRegexpOne(arrayElement(splitByChar('/', ${col}), -1), '\\.[^.]*$', '')`;
const FN_LAST = (col: string) => `arrayElement(splitByChar('.', ${col}), -1)`;
/** `stackRowKey` in SQL: which attributed stack row an exception rollup row belongs to. */
const STACK_ROW_KEY = String.raw`concat(toString(StackHash), '\t', toString(ServiceName), '\t', toString(ServiceVersion), '\t', toString(VcsRevision), '\t', toString(SpanName), '\t', FilePath, '\t', FunctionName, '\t', toString(ExceptionType))`;
const METHOD_ORDER: AttributionMethod[] = [
  "code-attributes",
  "stack-frame",
  "learned-span-name",
  "name-fallback",
];
const INCIDENT_LOOKBACK_MS = 180 * 86_400_000;
const TOP_EXCEPTIONS = 5;
const MAX_TRACE_SAMPLES = 5000;

interface StackRow {
  hash: string;
  service: string;
  version: string;
  vcs: string;
  spanName: string;
  filePath: string;
  functionName: string;
  type: string;
  stack: string;
}

interface StackLink {
  index: number;
  method: AttributionMethod;
  culprit: boolean;
}

type Num = number | string;

export async function queryFunctionTelemetry(
  ctx: FunctionTelemetryContext,
  request: TelemetryRequest,
): Promise<TelemetryResult> {
  const functions = request.functions;
  const result: TelemetryResult = { functions: new Map(), notices: ctx.notices };
  if (functions.length === 0) return result;
  const fromMs = request.window.from.getTime();
  const toMs = request.window.to.getTime();
  const base = {
    prevFromH: startOfHourS(fromMs - (toMs - fromMs)),
    fromH: startOfHourS(fromMs),
    toS: Math.ceil(toMs / 1000),
    services: request.services ?? [],
  };
  const stems = unique(functions.map((f) => stemOf(f.file)));
  const lastNames = unique(functions.map((f) => lastSegment(f.name)));
  // Frame names V8 may print for a qualified name: in full, `Class.method`, or the bare name.
  const frameNames = unique(
    functions.flatMap((f) => {
      const parts = f.name.split(".");
      return [f.name, parts.slice(-2).join("."), parts[parts.length - 1] ?? f.name];
    }),
  );
  // Spans naming a file are matched by file; a bare function name only counts without one.
  const CODE_KEY_CANDIDATE = `(FilePath != '' AND has({stems:Array(String)}, ${FILE_STEM("FilePath")}))
      OR (FilePath = '' AND has({lastNames:Array(String)}, ${FN_LAST("FunctionName")}))`;
  // Every code key that can match a function shares the function's (file stem, last name)
  // pair: paths map by stem, names by dot-suffix.
  const pairs = unique(functions.map((f) => `${stemOf(f.file)}\t${lastSegment(f.name)}`));
  const CODE_KEY_PAIR = `(FilePath != '' AND has({pairs:Array(String)}, concat(${FILE_STEM("FilePath")}, '\\t', ${FN_LAST("FunctionName")})))
      OR (FilePath = '' AND has({lastNames:Array(String)}, ${FN_LAST("FunctionName")}))`;
  // (arrayExists over has() reads a third faster than hasAny with a parameter array.)
  const STACK_CANDIDATE = `${SERVICES}
           AND (${CODE_KEY_CANDIDATE}
             OR arrayExists(x -> has({stems:Array(String)}, x), StackStems)
             OR arrayExists(x -> has({frameNames:Array(String)}, x), StackNames))`;
  // Code-less spans whose stacks may run a function, or already did. Only a filter for the
  // sample: it reads the stacks rollup where it exists even when the lookup scans raw spans
  // (which would scan the raw exception events a second time).
  const SPAN_CANDIDATE = `(toString(ServiceName), toString(SpanName)) IN (
           SELECT toString(ServiceName), toString(SpanName)
           FROM ${ctx.ownTables ? ctx.tables.exceptionStacks : ctx.sources.exceptionStacks}
           WHERE FunctionName = '' AND ${STACK_CANDIDATE}${
             ctx.ownTables
               ? `
           UNION ALL SELECT toString(ServiceName), toString(SpanName) FROM ${ctx.tables.spanFunctions} WHERE File IN {files:Array(String)}`
               : ""
           })`;
  const { connection, sources } = ctx;

  // 1 + 2: code keys and candidate stacks — with the learned span mappings, the services'
  // root-span counts and the trace samples of every key that may be a function's, which need
  // nothing else: one round trip.
  const files = unique(functions.map((f) => f.file));
  const first = await queryUnion<{
    key: { filePath: string; functionName: string };
    stack: StackRow;
    root: { service: string; roots: Num };
    learned: { service: string; spanName: string; file: string; name: string };
    sample: { rawKey: string; hash: string; traces: string[] };
  }>(
    connection,
    {
      key: `SELECT FilePath AS filePath, FunctionName AS functionName
         FROM ${sources.functionKeys}
         WHERE FunctionName != '' AND ${SERVICES}
           AND (${CODE_KEY_CANDIDATE})
         GROUP BY FilePath, FunctionName
         HAVING max(LastHour) >= ${H_PREV} AND min(FirstHour) < ${H_TO}`,
      stack: `SELECT toString(StackHash) AS hash, toString(ServiceName) AS service,
              toString(ServiceVersion) AS version, toString(VcsRevision) AS vcs,
              toString(SpanName) AS spanName, FilePath AS filePath, FunctionName AS functionName,
              toString(ExceptionType) AS type, any(Stack) AS stack
         FROM ${sources.exceptionStacks}
         WHERE ${STACK_CANDIDATE}
         GROUP BY StackHash, ServiceName, ServiceVersion, VcsRevision, SpanName, FilePath, FunctionName, ExceptionType
         HAVING max(LastSeen) >= ${H_PREV} AND min(FirstSeen) < ${H_TO}`,
      root: `SELECT toString(ServiceName) AS service, sum(Roots) AS roots
         FROM ${sources.serviceHourly}
         WHERE Hour >= ${H_FROM} AND Hour < ${H_TO} GROUP BY ServiceName`,
      learned: ctx.ownTables
        ? `SELECT toString(ServiceName) AS service, SpanName AS spanName, File AS file, FunctionName AS name
         FROM ${ctx.tables.spanFunctions} FINAL WHERE File IN {files:Array(String)}`
        : null,
      // Drawn once, here: the entrypoints of exactly these traces are looked up next, by id.
      sample: `SELECT ${ROLLUP_KEY} AS rawKey, toString(cityHash64(rawKey)) AS hash,
                groupArraySortedMerge(16)(TraceIds) AS traces
         FROM ${sources.functionKeys}
         WHERE ${SERVICES} AND ((FunctionName != '' AND (${CODE_KEY_PAIR}))
           OR (FunctionName = '' AND ${SPAN_CANDIDATE}))
         GROUP BY rawKey`,
    },
    { ...base, stems, lastNames, frameNames, files, pairs },
  );
  const keyRows = first.key;
  // Each row's key, once: the exception rows name the stack rows they came from by it.
  const stackRows = first.stack.map((row) => Object.assign(row, { rowKey: stackRowKey(row) }));
  const rootRows = first.root;
  const learnedRows = first.learned;

  if (!ctx.locator && stackRows.length > 0) {
    ctx.notices.push(
      "exception stacks were matched to functions by file and name only (no source to place their lines).",
    );
  }
  const keyToFunctions = new Map<string, Set<number>>();
  const methods = functions.map(() => new Set<AttributionMethod>());
  const link = (key: string, index: number, method: AttributionMethod) => {
    const set = keyToFunctions.get(key) ?? new Set<number>();
    keyToFunctions.set(key, set);
    set.add(index);
    methods[index]?.add(method);
  };
  // Many rows share a (file, function) pair or a stack's frames: match and attribute each once.
  const codeMatches = new Map<string, number[]>();
  const matchCode = (filePath: string, functionName: string): number[] => {
    const key = `${filePath}\t${functionName}`;
    let found = codeMatches.get(key);
    if (!found) {
      found = matchCodeKey(functions, ctx.mapPath, filePath, functionName);
      codeMatches.set(key, found);
    }
    return found;
  };
  const attributions = new Map<string, Promise<StackAttribution[]>>();
  const attribute = (row: StackRow, revision: string | null): Promise<StackAttribution[]> => {
    // The attribution reads only the frame lines (`at …`), which the stack hash stands for:
    // stacks differing only in their message share it.
    const key = `${revision ?? ""}\n${row.hash}`;
    let found = attributions.get(key);
    if (!found) {
      found = attributeStack(row.stack, {
        functions,
        mapPath: ctx.mapPath,
        ...(ctx.locator ? { locator: ctx.locator } : {}),
        revision,
      });
      attributions.set(key, found);
    }
    return found;
  };
  for (const row of keyRows) {
    for (const index of matchCode(row.filePath, row.functionName)) {
      link(`c${row.filePath}\t${row.functionName}`, index, "code-attributes");
    }
  }

  // Attribute each distinct stack; remember which functions every stack of a code-less span runs through.
  const stackLinks = new Map<string, StackLink[]>();
  const spanStacks = new Map<string, Set<number>[]>();
  for (const row of stackRows) {
    const links: StackLink[] = [];
    const fromStack = await attribute(row, deployedRevision(row.version, row.vcs));
    for (const index of matchCode(row.filePath, row.functionName)) {
      const framed = fromStack.find((s) => s.index === index);
      links.push({
        index,
        method: "code-attributes",
        culprit: framed?.culprit ?? fromStack.length === 0,
      });
    }
    for (const s of fromStack) {
      if (!links.some((l) => l.index === s.index)) links.push(s);
    }
    stackLinks.set(row.rowKey, links);
    for (const l of links) methods[l.index]?.add(l.method);
    if (row.functionName === "" && row.spanName !== "") {
      const spanKey = `s${row.service}\t${row.spanName}`;
      const seen = spanStacks.get(spanKey) ?? [];
      seen.push(new Set(fromStack.map((s) => s.index)));
      spanStacks.set(spanKey, seen);
    }
  }
  const unversioned = stackRows.filter(
    (r) =>
      deployedRevision(r.version, r.vcs) === null &&
      (stackLinks.get(r.rowKey) ?? []).some((l) => l.method === "stack-frame"),
  );
  if (ctx.locator && unversioned.length > 0) {
    const services = unique(unversioned.map((r) => r.service))
      .sort()
      .join(", ");
    ctx.notices.push(
      `exception stacks from ${services} carry no git SHA in service.version or vcs.ref.head.revision: their lines were placed in the fallback revision (lower confidence).`,
    );
  }
  const learned: { service: string; spanName: string; index: number; evidence: number }[] = [];
  for (const [spanKey, stacks] of spanStacks) {
    const [first, ...rest] = stacks;
    for (const index of first ?? []) {
      if (!rest.every((s) => s.has(index))) continue;
      link(spanKey, index, "learned-span-name");
      const [service = "", spanName = ""] = spanKey.slice(1).split("\t");
      learned.push({ service, spanName, index, evidence: stacks.length });
    }
  }
  if (ctx.ownTables) await learnedSpanFunctions(ctx, functions, learned, learnedRows, link);

  // Every key with rollup rows has a sample row, which carries its hash: the rollup's
  // primary key (a key without one has no rows to read).
  const samples = new Map(first.sample.map((r) => [r.rawKey, r]));
  const keys = [...keyToFunctions.keys()].filter((k) => samples.has(k));
  const keyHashes = keys.map((k) => BigInt(samples.get(k)?.hash ?? 0));
  const fnLists = keys.map((k) => [...(keyToFunctions.get(k) ?? [])]);
  const traces = functions.map(() => [] as string[]);
  for (const [key, indices] of keyToFunctions) {
    for (const index of indices) traces[index]?.push(...(samples.get(key)?.traces ?? []));
  }
  // Parameters travel in the URL (ClickHouse allows 1 MiB): bound the sample.
  const traceIds = unique(traces.flat()).slice(0, MAX_TRACE_SAMPLES);
  const linkedStacks = stackRows.filter((r) => (stackLinks.get(r.rowKey) ?? []).length > 0);
  const hashes = unique(linkedStacks.map((r) => r.hash)).map((h) => BigInt(h));
  // Each attributed stack row fans out to its functions in SQL, so the copies of one thrown
  // exception (recorded on the function's span, its callers' spans, the server span: one row
  // each) merge into one occurrence per trace for every function they are attributed to.
  const stackKeys = linkedStacks.map((r) => r.rowKey);
  const stackFnLists = stackKeys.map((k) => unique((stackLinks.get(k) ?? []).map((l) => l.index)));
  // Rows are merged per key hash first (a hundred states instead of tens of thousands of
  // hourly rows to fan out), then per function. A foreign key sharing a requested key's
  // 64-bit hash would be merged in: at millions of keys the odds are about 1e-11 per lookup,
  // as for the stack hashes.
  const perKey = `SELECT KeyHash, Hour >= ${H_FROM} AS isCurrent,
          sum(Calls) AS calls, sum(Errors) AS errors,
          quantilesTDigestMergeState(0.5, 0.95, 0.99)(Duration) AS duration,
          groupUniqArray(ServiceName) AS services, groupUniqArrayArray(Versions) AS versions,
          groupArrayIf((toUnixTimestamp(Hour), toFloat64(Calls), toFloat64(Errors)), Hour >= ${H_FROM}) AS points
        FROM ${sources.functionHourly}
        WHERE KeyHash IN {keyHashes:Array(UInt64)}
          AND Hour >= ${H_PREV} AND Hour < ${H_TO} AND ${SERVICES}
        GROUP BY KeyHash, isCurrent`;

  // Everything else in one statement: window stats with the hourly series (the current
  // window's (hour, calls, errors) travel as one array of tuples, summed per hour below;
  // as Float64, exact to 2^53, JSON writes numbers rather than quoted 64-bit strings),
  // the sampled traces' entrypoints, exceptions of the attributed stacks, and incidents.
  const second = await queryUnion<{
    stats: {
      fn: Num;
      w: "current" | "previous";
      calls: Num;
      errors: Num;
      q: (number | null)[];
      services: string[];
      versions: string[];
      points: [Num, Num, Num][];
    };
    entry: { traceId: string; entrypoint: string };
    exception: {
      fn: Num;
      hash: string;
      type: string;
      count: Num;
      first: Num;
      last: Num;
      message: string;
      rows: string[];
    };
    incident: IncidentRow;
  }>(
    connection,
    {
      stats:
        keys.length === 0
          ? null
          : `SELECT fn, if(isCurrent, 'current', 'previous') AS w, sum(calls) AS calls,
                sum(errors) AS errors, quantilesTDigestMerge(0.5, 0.95, 0.99)(duration) AS q,
                groupUniqArrayArray(services) AS services, groupUniqArrayArray(versions) AS versions,
                groupArrayArray(points) AS points
             FROM (${perKey})
             ARRAY JOIN arrayElement({fnLists:Array(Array(UInt32))},
               indexOf({keyHashes:Array(UInt64)}, KeyHash)) AS fn
             GROUP BY fn, w`,
      entry:
        traceIds.length === 0
          ? null
          : `SELECT TraceId AS traceId, any(Entrypoint) AS entrypoint FROM ${sources.traceEntrypoints}
             WHERE TraceId IN {traceIds:Array(String)} GROUP BY TraceId`,
      exception:
        hashes.length === 0
          ? null
          : `SELECT fn, toString(StackHash) AS hash, toString(ExceptionType) AS type,
                uniqExactMerge(Occurrences) AS count, toUnixTimestamp64Milli(min(FirstSeen)) AS first,
                toUnixTimestamp64Milli(max(LastSeen)) AS last, anyLast(SampleMessage) AS message,
                groupUniqArray(StackRow) AS rows
             FROM (SELECT StackHash, ExceptionType, Occurrences, FirstSeen, LastSeen, SampleMessage,
                          ${STACK_ROW_KEY} AS StackRow
                   FROM ${sources.exceptionHourly}
                   WHERE StackHash IN {hashes:Array(UInt64)} AND Hour >= ${H_FROM} AND Hour < ${H_TO} AND ${SERVICES})
             ARRAY JOIN arrayElement({stackFnLists:Array(Array(UInt32))}, indexOf({stackKeys:Array(String)}, StackRow)) AS fn
             GROUP BY fn, StackHash, ExceptionType`,
      incident: ctx.ownTables ? incidentsSql(ctx.tables.incidents) : null,
    },
    {
      ...base,
      keyHashes,
      fnLists,
      traceIds,
      hashes,
      stackKeys,
      stackFnLists,
      // Incidents: by function id, by file, or by the fingerprint of any attributed stack.
      since: Math.floor((toMs - INCIDENT_LOOKBACK_MS) / 1000),
      ids: functions.map((f) => functionKeyId(f)),
      files,
      fingerprints: hashes.map((h) => fingerprintOf(h.toString())),
    },
  );
  const statRows = second.stats;
  const exceptionRows = second.exception;

  // Assemble per function.
  const built = functions.map((key) => emptyTelemetry(key));
  const hourMap = functions.map(() => new Map<number, HourlyPoint>());
  for (const row of statRows) {
    const index = Number(row.fn);
    const t = built[index];
    if (!t) continue;
    const stats = windowStats(Number(row.calls), Number(row.errors), row.q);
    if (row.w === "current") t.current = stats;
    else t.previous = stats;
    t.services = unique([...t.services, ...row.services]).sort();
    t.versions = unique([...t.versions, ...row.versions.filter((v) => v !== "")]).sort();
  }
  // Every function's series shares the same hours: format each once, not once per function.
  const isoHours = new Map<number, string>();
  const isoHour = (ms: number) => {
    let iso = isoHours.get(ms);
    if (iso === undefined) {
      iso = new Date(ms).toISOString();
      isoHours.set(ms, iso);
    }
    return iso;
  };
  for (const row of statRows) {
    const points = hourMap[Number(row.fn)];
    if (!points) continue;
    for (const [hour, calls, errors] of row.points) {
      const hourMs = Number(hour) * 1000;
      const point = points.get(hourMs) ?? { hour: isoHour(hourMs), calls: 0, errors: 0 };
      point.calls += Number(calls);
      point.errors += Number(errors);
      points.set(hourMs, point);
    }
  }
  const firstHourMs = Math.floor(fromMs / 3_600_000) * 3_600_000;
  for (const [index, t] of built.entries()) {
    const points = hourMap[index];
    if (!points || points.size === 0) continue;
    for (let h = firstHourMs; h < toMs; h += 3_600_000) {
      t.hourly.push(points.get(h) ?? { hour: isoHour(h), calls: 0, errors: 0 });
    }
  }

  const fingerprints = functions.map(() => new Set<string>());
  const exceptionGroups = functions.map(
    () => new Map<string, ExceptionSummary & { weight: number; hash: string }>(),
  );
  const stackTexts = new Map(stackRows.map((r) => [r.rowKey, r.stack]));
  // Rows are (function, stack hash): different stacks are different exceptions, so their
  // occurrence counts add up per type.
  for (const row of exceptionRows) {
    const index = Number(row.fn);
    fingerprints[index]?.add(fingerprintOf(row.hash));
    const groups = exceptionGroups[index];
    if (!groups) continue;
    const rowKeys = [...row.rows].sort();
    const culprit = rowKeys.some((k) =>
      (stackLinks.get(k) ?? []).some((l) => l.index === index && l.culprit),
    );
    const sampleStack = stackTexts.get(rowKeys[0] ?? "") ?? "";
    const type = row.type === "" ? "Error" : row.type;
    const count = Number(row.count);
    const existing = groups.get(type);
    const firstSeen = new Date(Number(row.first)).toISOString();
    const lastSeen = new Date(Number(row.last)).toISOString();
    if (!existing) {
      groups.set(type, {
        hash: row.hash,
        type,
        count,
        firstSeen,
        lastSeen,
        sampleMessage: row.message,
        sampleStack,
        culprit,
        fingerprint: fingerprintOf(row.hash),
        weight: count,
      });
      continue;
    }
    existing.count += count;
    if (firstSeen < existing.firstSeen) existing.firstSeen = firstSeen;
    if (lastSeen > existing.lastSeen) existing.lastSeen = lastSeen;
    existing.culprit ||= culprit;
    // Ties go to the smaller hash: rows arrive in no particular order.
    if (count > existing.weight || (count === existing.weight && row.hash < existing.hash)) {
      existing.weight = count;
      existing.hash = row.hash;
      existing.sampleMessage = row.message;
      existing.sampleStack = sampleStack;
      existing.fingerprint = fingerprintOf(row.hash);
    }
  }
  for (const [index, t] of built.entries()) {
    t.exceptions = [...(exceptionGroups[index]?.values() ?? [])]
      .sort((a, b) => b.count - a.count)
      .slice(0, TOP_EXCEPTIONS)
      .map(({ weight: _weight, hash: _hash, ...summary }) => ({
        ...summary,
        sampleMessage: ctx.redact(summary.sampleMessage),
        sampleStack: ctx.redact(summary.sampleStack),
      }));
  }

  addEntrypoints(built, traces, second.entry);
  const roots = new Map(rootRows.map((r) => [r.service, Number(r.roots)]));
  for (const t of built) {
    const denominator = t.services.reduce((sum, s) => sum + (roots.get(s) ?? 0), 0);
    t.trafficShare = denominator > 0 ? Math.min(1, t.current.calls / denominator) : 0;
    t.trend = trendOf(t.current, t.previous);
  }
  await addIncidents(ctx, functions, built, fingerprints, second.incident, base.services);

  for (const [index, t] of built.entries()) {
    t.attribution = METHOD_ORDER.filter((m) => methods[index]?.has(m));
    const seen =
      t.current.calls + t.previous.calls > 0 || t.exceptions.length > 0 || t.incidents.length > 0;
    if (seen) result.functions.set(functionKeyId(t.key), t);
  }
  return result;
}

async function learnedSpanFunctions(
  ctx: FunctionTelemetryContext,
  functions: readonly FunctionKey[],
  learned: { service: string; spanName: string; index: number; evidence: number }[],
  rows: readonly { service: string; spanName: string; file: string; name: string }[],
  link: (key: string, index: number, method: AttributionMethod) => void,
): Promise<void> {
  for (const row of rows) {
    const index = functions.findIndex((f) => f.file === row.file && f.name === row.name);
    if (index >= 0) link(`s${row.service}\t${row.spanName}`, index, "learned-span-name");
  }
  const known = new Set(rows.map((r) => `${r.service}\t${r.spanName}\t${r.file}\t${r.name}`));
  const fresh = learned.filter((l) => {
    const f = functions[l.index];
    return f && !known.has(`${l.service}\t${l.spanName}\t${f.file}\t${f.name}`);
  });
  if (fresh.length === 0) return;
  try {
    await ctx.connection.insert(
      ctx.tables.spanFunctions.replaceAll("`", ""),
      fresh.map((l) => ({
        ServiceName: l.service,
        SpanName: l.spanName,
        File: functions[l.index]?.file ?? "",
        FunctionName: functions[l.index]?.name ?? "",
        Evidence: l.evidence,
        LearnedAt: isoForClickHouse(new Date()),
      })),
    );
  } catch {
    // A read-only ClickHouse user: the mapping still applies to this analysis.
  }
}

/** Each function's entrypoints: its sampled traces' roots, scaled to its calls. */
function addEntrypoints(
  built: FunctionTelemetry[],
  traces: string[][],
  rows: readonly { traceId: string; entrypoint: string }[],
): void {
  const entry = new Map(rows.map((r) => [r.traceId, r.entrypoint]));
  for (const [index, t] of built.entries()) {
    const sample = traces[index] ?? [];
    const counts = new Map<string, number>();
    let found = 0;
    for (const id of sample) {
      const name = entry.get(id);
      if (name === undefined) continue;
      found += 1;
      counts.set(name, (counts.get(name) ?? 0) + 1);
    }
    // Sampled traces: scale each entrypoint's share of the sample to the function's calls.
    t.entrypoints = [...counts.entries()]
      .map(([name, n]) => ({ name, calls: Math.max(1, Math.round((n / found) * t.current.calls)) }))
      .sort((a, b) => b.calls - a.calls || a.name.localeCompare(b.name));
  }
}

async function addIncidents(
  ctx: FunctionTelemetryContext,
  functions: readonly FunctionKey[],
  built: FunctionTelemetry[],
  fingerprints: Set<string>[],
  rows: IncidentRow[],
  services: string[],
): Promise<void> {
  const detected: { index: number; incident: Incident }[] = [];
  for (const [index, t] of built.entries()) {
    for (const spike of detectErrorSpikes(t.hourly)) {
      const id = `spike-${createHash("sha1")
        .update(`${functionKeyId(t.key)}@${spike.startHour}`)
        .digest("hex")
        .slice(0, 12)}`;
      detected.push({
        index,
        incident: {
          id,
          title: `Error spike in ${t.key.name}`,
          severity: "detected",
          startedAt: spike.startHour,
          resolvedAt: spike.endHour,
          service: t.services[0] ?? null,
          url: null,
          source: "detected",
          evidence: `${spike.errors} errors in ${spike.calls} calls from ${spike.startHour} to ${spike.endHour}; baseline ${spike.baselineErrorsPerHour} errors/hour, error rate ${spike.baselineErrorRate}`,
        },
      });
    }
  }
  if (!ctx.ownTables) {
    for (const d of detected) built[d.index]?.incidents.push(d.incident);
    return;
  }
  const ids = functions.map((f) => functionKeyId(f));
  rows.sort(newestFirst);
  // Record only spikes that are new or grew since they were stored: every lookup re-detects
  // them, and an insert per lookup would cost a round trip and a part each time.
  const changed: typeof detected = [];
  for (const d of detected) {
    const row: IncidentRow = {
      id: d.incident.id,
      title: d.incident.title,
      severity: d.incident.severity,
      started: Date.parse(d.incident.startedAt),
      resolved: d.incident.resolvedAt === null ? null : Date.parse(d.incident.resolvedAt),
      service: d.incident.service ?? "",
      url: "",
      source: "detected",
      functions: [ids[d.index] as string],
      fingerprints: [],
      evidence: d.incident.evidence,
    };
    const at = rows.findIndex((r) => r.id === row.id);
    if (at >= 0 && sameIncident(rows[at] as IncidentRow, row)) continue;
    changed.push(d);
    const shown = services.length === 0 || row.service === "" || services.includes(row.service);
    if (at >= 0) rows.splice(at, 1);
    if (shown) rows.push(row);
  }
  if (changed.length > 0) {
    rows.sort(newestFirst);
    try {
      await ctx.connection.insert(
        ctx.tables.incidents.replaceAll("`", ""),
        changed.map((d) => incidentRow(d.incident, [ids[d.index] as string])),
      );
    } catch {
      // Read-only user: the spike is still reported for this analysis.
    }
  }
  for (const [index, t] of built.entries()) {
    const id = ids[index] as string;
    const file = functions[index]?.file ?? "";
    for (const row of rows) {
      const byFunction = row.functions.includes(id);
      const byFile = row.functions.includes(file);
      const byFingerprint = row.fingerprints.some((f) => fingerprints[index]?.has(f));
      if (!byFunction && !byFile && !byFingerprint) continue;
      const why = byFunction
        ? "linked to this function"
        : byFile
          ? "linked to this file"
          : "same exception stack";
      t.incidents.push({
        id: row.id,
        title: ctx.redact(row.title),
        severity: row.severity,
        startedAt: new Date(Number(row.started)).toISOString(),
        resolvedAt: row.resolved === null ? null : new Date(Number(row.resolved)).toISOString(),
        service: row.service === "" ? null : row.service,
        url: row.url === "" ? null : row.url,
        source: row.source === "detected" ? "detected" : "imported",
        evidence: row.evidence === "" ? why : `${why}: ${ctx.redact(row.evidence)}`,
      });
    }
  }
}

/** Incidents linked to the PR's functions, their files or their stacks' fingerprints. */
const incidentsSql = (incidents: string) => `
  SELECT Id AS id, Title AS title, Severity AS severity, toUnixTimestamp64Milli(StartedAt) AS started,
         if(isNull(ResolvedAt), NULL, toUnixTimestamp64Milli(assumeNotNull(ResolvedAt))) AS resolved,
         ServiceName AS service, Url AS url, Source AS source, Functions AS functions,
         Fingerprints AS fingerprints, Evidence AS evidence
  FROM ${incidents} FINAL
  WHERE StartedAt >= {since:DateTime('UTC')}
    AND (empty({services:Array(String)}) OR ServiceName = '' OR has({services:Array(String)}, ServiceName))
    AND (hasAny(Functions, {ids:Array(String)}) OR hasAny(Functions, {files:Array(String)})
      OR hasAny(Fingerprints, {fingerprints:Array(String)}))`;

/** An incident as the lookup reads it from `faultline_incidents`. */
interface IncidentRow {
  id: string;
  title: string;
  severity: string;
  started: Num;
  resolved: Num | null;
  service: string;
  url: string;
  source: string;
  functions: string[];
  fingerprints: string[];
  evidence: string;
}

function newestFirst(a: IncidentRow, b: IncidentRow): number {
  return Number(b.started) - Number(a.started) || a.id.localeCompare(b.id);
}

function sameIncident(a: IncidentRow, b: IncidentRow): boolean {
  return (
    a.title === b.title &&
    a.severity === b.severity &&
    Number(a.started) === Number(b.started) &&
    (a.resolved === null ? null : Number(a.resolved)) ===
      (b.resolved === null ? null : Number(b.resolved)) &&
    a.service === b.service &&
    a.evidence === b.evidence &&
    a.functions.join("\n") === b.functions.join("\n")
  );
}

/** A `faultline_incidents` row. */
export function incidentRow(incident: Incident, functions: string[], fingerprints: string[] = []) {
  return {
    Id: incident.id,
    Title: incident.title,
    Severity: incident.severity,
    StartedAt: isoForClickHouse(new Date(incident.startedAt)),
    ResolvedAt: incident.resolvedAt ? isoForClickHouse(new Date(incident.resolvedAt)) : null,
    ServiceName: incident.service ?? "",
    Url: incident.url ?? "",
    Source: incident.source,
    Functions: functions,
    Fingerprints: fingerprints,
    Evidence: incident.evidence,
    UpdatedAt: isoForClickHouse(new Date()),
  };
}

/** Stack fingerprint as users see it (and may put in imported incidents): 16 hex digits. */
export function fingerprintOf(hash: string): string {
  return BigInt(hash).toString(16).padStart(16, "0");
}

function stackRowKey(row: StackRow): string {
  return [
    row.hash,
    row.service,
    row.version,
    row.vcs,
    row.spanName,
    row.filePath,
    row.functionName,
    row.type,
  ].join("\t");
}

function windowStats(calls: number, errors: number, q: (number | null)[]): WindowStats {
  const ms = (v: number | null | undefined) =>
    v === null || v === undefined || Number.isNaN(Number(v)) || calls === 0
      ? null
      : Math.round(Number(v) / 1000) / 1000;
  return {
    calls,
    errors,
    errorRate: calls === 0 ? 0 : errors / calls,
    p50Ms: ms(q[0]),
    p95Ms: ms(q[1]),
    p99Ms: ms(q[2]),
  };
}

function emptyStats(): WindowStats {
  return { calls: 0, errors: 0, errorRate: 0, p50Ms: null, p95Ms: null, p99Ms: null };
}

function emptyTelemetry(key: FunctionKey): FunctionTelemetry {
  return {
    key,
    current: emptyStats(),
    previous: emptyStats(),
    trafficShare: 0,
    trend: "none",
    exceptions: [],
    services: [],
    versions: [],
    entrypoints: [],
    hourly: [],
    incidents: [],
    attribution: [],
  };
}

/** Error-rate trend against the previous window. */
export function trendOf(current: WindowStats, previous: WindowStats): FunctionTelemetry["trend"] {
  if (current.calls === 0 && previous.calls === 0) return "none";
  if (previous.calls === 0) return "new";
  if (current.calls === 0) return "flat";
  const delta = current.errorRate - previous.errorRate;
  // Small differences and a handful of errors are noise, not a trend.
  if (Math.abs(delta) < 0.005 || Math.max(current.errors, previous.errors) < 3) return "flat";
  if (current.errorRate >= previous.errorRate * 1.5) return "rising";
  if (current.errorRate <= previous.errorRate / 1.5) return "falling";
  return "flat";
}

function startOfHourS(ms: number): number {
  return Math.floor(ms / 3_600_000) * 3600;
}

function unique<T>(values: readonly T[]): T[] {
  return [...new Set(values)];
}
