/**
 * DDL of the exporter tables (created only where absent) and of Faultline's own tables,
 * plus the SELECT bodies shared by the materialized views, the backfill and the raw-scan
 * fallback, so the rollup and the fallback compute exactly the same thing.
 */
import type { TableNames } from "./table-names.ts";

/** `otel_traces` exactly as the OTel Collector clickhouseexporter creates it. */
export const tracesTableDdl = (t: TableNames): string => `
CREATE TABLE IF NOT EXISTS ${t.traces} (
    Timestamp DateTime64(9) CODEC(Delta, ZSTD(1)),
    TraceId String CODEC(ZSTD(1)),
    SpanId String CODEC(ZSTD(1)),
    ParentSpanId String CODEC(ZSTD(1)),
    TraceState String CODEC(ZSTD(1)),
    SpanName LowCardinality(String) CODEC(ZSTD(1)),
    SpanKind LowCardinality(String) CODEC(ZSTD(1)),
    ServiceName LowCardinality(String) CODEC(ZSTD(1)),
    ResourceAttributes Map(LowCardinality(String), String) CODEC(ZSTD(1)),
    ScopeName String CODEC(ZSTD(1)),
    ScopeVersion String CODEC(ZSTD(1)),
    SpanAttributes Map(LowCardinality(String), String) CODEC(ZSTD(1)),
    Duration UInt64 CODEC(ZSTD(1)),
    StatusCode LowCardinality(String) CODEC(ZSTD(1)),
    StatusMessage String CODEC(ZSTD(1)),
    Events Nested (
        Timestamp DateTime64(9),
        Name LowCardinality(String),
        Attributes Map(LowCardinality(String), String)
    ) CODEC(ZSTD(1)),
    Links Nested (
        TraceId String,
        SpanId String,
        TraceState String,
        Attributes Map(LowCardinality(String), String)
    ) CODEC(ZSTD(1)),
    INDEX idx_trace_id TraceId TYPE bloom_filter(0.001) GRANULARITY 1,
    INDEX idx_res_attr_key mapKeys(ResourceAttributes) TYPE bloom_filter(0.01) GRANULARITY 1,
    INDEX idx_res_attr_value mapValues(ResourceAttributes) TYPE bloom_filter(0.01) GRANULARITY 1,
    INDEX idx_span_attr_key mapKeys(SpanAttributes) TYPE bloom_filter(0.01) GRANULARITY 1,
    INDEX idx_span_attr_value mapValues(SpanAttributes) TYPE bloom_filter(0.01) GRANULARITY 1,
    INDEX idx_duration Duration TYPE minmax GRANULARITY 1
) ENGINE = MergeTree()
PARTITION BY toDate(Timestamp)
ORDER BY (ServiceName, SpanName, toDateTime(Timestamp))
SETTINGS index_granularity = 8192, ttl_only_drop_parts = 1`;

/** `otel_logs` in the layout most deployments have (with `TimestampTime`). */
export const logsTableDdl = (t: TableNames): string => `
CREATE TABLE IF NOT EXISTS ${t.logs} (
    Timestamp DateTime64(9) CODEC(Delta(8), ZSTD(1)),
    TimestampTime DateTime DEFAULT toDateTime(Timestamp),
    TraceId String CODEC(ZSTD(1)),
    SpanId String CODEC(ZSTD(1)),
    TraceFlags UInt8,
    SeverityText LowCardinality(String) CODEC(ZSTD(1)),
    SeverityNumber UInt8,
    ServiceName LowCardinality(String) CODEC(ZSTD(1)),
    Body String CODEC(ZSTD(1)),
    ResourceSchemaUrl LowCardinality(String) CODEC(ZSTD(1)),
    ResourceAttributes Map(LowCardinality(String), String) CODEC(ZSTD(1)),
    ScopeSchemaUrl LowCardinality(String) CODEC(ZSTD(1)),
    ScopeName String CODEC(ZSTD(1)),
    ScopeVersion LowCardinality(String) CODEC(ZSTD(1)),
    ScopeAttributes Map(LowCardinality(String), String) CODEC(ZSTD(1)),
    LogAttributes Map(LowCardinality(String), String) CODEC(ZSTD(1))
) ENGINE = MergeTree()
PARTITION BY toDate(TimestampTime)
PRIMARY KEY (ServiceName, TimestampTime)
ORDER BY (ServiceName, TimestampTime, Timestamp)
SETTINGS index_granularity = 8192, ttl_only_drop_parts = 1`;

/** Function identity of a span or log record: stable code.* attributes first, then the deprecated ones. */
export const functionNameOf = (attrs: string) =>
  `if(${attrs}['code.function.name'] != '', ${attrs}['code.function.name'], if(${attrs}['code.function'] != '', if(${attrs}['code.namespace'] != '', concat(${attrs}['code.namespace'], '.', ${attrs}['code.function']), ${attrs}['code.function']), ''))`;
export const filePathOf = (attrs: string) =>
  `if(${attrs}['code.file.path'] != '', ${attrs}['code.file.path'], ${attrs}['code.filepath'])`;
const serviceVersion = "ResourceAttributes['service.version']";
const vcsRevision = "ResourceAttributes['vcs.ref.head.revision']";
const hourOf = (ts: string) => `toStartOfHour(toDateTime(${ts}, 'UTC'))`;
/** Old exporter versions wrote `STATUS_CODE_ERROR`. */
export const IS_ERROR_SPAN = "StatusCode IN ('Error', 'STATUS_CODE_ERROR')";
/** Old exporter versions wrote `SPAN_KIND_SERVER`; any root span counts as an entrypoint. */
const entrypointName =
  "if(SpanAttributes['http.route'] != '', concat(if(SpanAttributes['http.request.method'] != '', concat(SpanAttributes['http.request.method'], ' '), if(SpanAttributes['http.method'] != '', concat(SpanAttributes['http.method'], ' '), '')), SpanAttributes['http.route']), SpanName)";

/**
 * What a rollup row is looked up by: its code attributes (`c` file TAB function) when it has
 * them, else its service and span name (`s` service TAB span) — `RawKey` in the queries.
 */
export const ROLLUP_KEY = String.raw`if(FunctionName != '', concat('c', FilePath, '\t', FunctionName), concat('s', ServiceName, '\t', SpanName))`;

/** Rows of the per-function hourly rollup, as aggregate states, from raw spans. */
export const functionHourlySelect = (t: TableNames, where = "1"): string => `
SELECT
    cityHash64(${ROLLUP_KEY}) AS KeyHash,
    ${hourOf("Timestamp")} AS Hour,
    ServiceName,
    SpanName,
    ${filePathOf("SpanAttributes")} AS FilePath,
    ${functionNameOf("SpanAttributes")} AS FunctionName,
    toUInt64(count()) AS Calls,
    toUInt64(countIf(${IS_ERROR_SPAN})) AS Errors,
    groupUniqArray(${serviceVersion}) AS Versions,
    quantilesTDigestState(0.5, 0.95, 0.99)(Duration) AS Duration
FROM ${t.traces}
WHERE ${where}
GROUP BY Hour, ServiceName, SpanName, FilePath, FunctionName`;

export const functionKeysSelect = (t: TableNames, where = "1"): string => `
SELECT
    ServiceName,
    SpanName,
    ${filePathOf("SpanAttributes")} AS FilePath,
    ${functionNameOf("SpanAttributes")} AS FunctionName,
    min(${hourOf("Timestamp")}) AS FirstHour,
    max(${hourOf("Timestamp")}) AS LastHour,
    toUInt64(count()) AS Calls,
    groupArraySortedState(16)(TraceId) AS TraceIds
FROM ${t.traces}
WHERE ${where}
GROUP BY ServiceName, SpanName, FilePath, FunctionName`;

/** Exception events of spans (`Events.Name = 'exception'`), one row each. */
const exceptionEventsFromTraces = (t: TableNames, where: string) => `
SELECT
    EventTime AS EventTimestamp,
    ServiceName,
    ${serviceVersion} AS ServiceVersion,
    ${vcsRevision} AS VcsRevision,
    SpanName,
    ${filePathOf("SpanAttributes")} AS FilePath,
    ${functionNameOf("SpanAttributes")} AS FunctionName,
    EventAttributes['exception.type'] AS ExceptionType,
    EventAttributes['exception.message'] AS Message,
    EventAttributes['exception.stacktrace'] AS StackText,
    TraceId AS Occurrence
FROM ${t.traces}
ARRAY JOIN Events.Timestamp AS EventTime, Events.Name AS EventName, Events.Attributes AS EventAttributes
WHERE toString(EventName) = 'exception' AND (${where})`;

/** Log records carrying exception attributes. */
const exceptionEventsFromLogs = (t: TableNames, where: string) => `
SELECT
    Timestamp AS EventTimestamp,
    ServiceName,
    ${serviceVersion} AS ServiceVersion,
    ${vcsRevision} AS VcsRevision,
    '' AS SpanName,
    ${filePathOf("LogAttributes")} AS FilePath,
    ${functionNameOf("LogAttributes")} AS FunctionName,
    LogAttributes['exception.type'] AS ExceptionType,
    if(LogAttributes['exception.message'] != '', LogAttributes['exception.message'], Body) AS Message,
    LogAttributes['exception.stacktrace'] AS StackText,
    -- A log record outside any trace is an occurrence of its own.
    if(TraceId != '', TraceId, toString(generateUUIDv4())) AS Occurrence
FROM ${t.logs}
WHERE (LogAttributes['exception.type'] != '' OR LogAttributes['exception.stacktrace'] != '') AND (${where})`;

export type ExceptionSource = "traces" | "logs";

/**
 * A stack's identity: its frame lines only, so the same code path with different messages
 * (ids, amounts) is one stack.
 */
const STACK_HASH = String.raw`cityHash64(ExceptionType, arrayStringConcat(extractAll(StackText, '\n\s*at [^\n]+')))`;
/** File stems and (full) function names the frames mention, for cheap candidate filtering. */
const STACK_STEMS = String.raw`arrayDistinct(extractAll(StackText, '([^/\\(\s:]+)\.[cm]?[jt]sx?:\d+:\d+'))`;
const STACK_NAMES = String.raw`arrayDistinct(extractAll(StackText, 'at (?:async )?(?:new )?([\w$.<>]+?)(?: \[as [^\]]+\])? \('))`;

const exceptionEvents = (t: TableNames, source: ExceptionSource, where: string) =>
  source === "traces" ? exceptionEventsFromTraces(t, where) : exceptionEventsFromLogs(t, where);

export const exceptionHourlySelect = (
  t: TableNames,
  source: ExceptionSource,
  where = "1",
): string => `
SELECT
    ${STACK_HASH} AS StackHash,
    ${hourOf("EventTimestamp")} AS Hour,
    ServiceName, ServiceVersion, VcsRevision, SpanName, FilePath, FunctionName, ExceptionType,
    toUInt64(count()) AS Count,
    uniqExactState(Occurrence) AS Occurrences,
    min(toDateTime64(EventTimestamp, 3, 'UTC')) AS FirstSeen,
    max(toDateTime64(EventTimestamp, 3, 'UTC')) AS LastSeen,
    anyLast(Message) AS SampleMessage
FROM (${exceptionEvents(t, source, where)})
GROUP BY StackHash, Hour, ServiceName, ServiceVersion, VcsRevision, SpanName, FilePath, FunctionName, ExceptionType`;

export const exceptionStacksSelect = (
  t: TableNames,
  source: ExceptionSource,
  where = "1",
): string => `
SELECT
    ${STACK_HASH} AS StackHash,
    ServiceName, ServiceVersion, VcsRevision, SpanName, FilePath, FunctionName, ExceptionType,
    any(StackText) AS Stack,
    any(${STACK_STEMS}) AS StackStems,
    any(${STACK_NAMES}) AS StackNames,
    min(toDateTime64(EventTimestamp, 3, 'UTC')) AS FirstSeen,
    max(toDateTime64(EventTimestamp, 3, 'UTC')) AS LastSeen
FROM (${exceptionEvents(t, source, where)})
GROUP BY StackHash, ServiceName, ServiceVersion, VcsRevision, SpanName, FilePath, FunctionName, ExceptionType`;

/** Calls and root spans (requests) per service and hour: the denominator of traffic share. */
export const serviceHourlySelect = (t: TableNames, where = "1"): string => `
SELECT
    ${hourOf("Timestamp")} AS Hour,
    ServiceName,
    toUInt64(count()) AS Calls,
    toUInt64(countIf(ParentSpanId = '')) AS Roots
FROM ${t.traces}
WHERE ${where}
GROUP BY Hour, ServiceName`;

export const traceEntrypointsSelect = (t: TableNames, where = "1"): string => `
SELECT
    TraceId,
    ${hourOf("Timestamp")} AS Hour,
    ServiceName,
    ${entrypointName} AS Entrypoint
FROM ${t.traces}
WHERE ParentSpanId = '' AND (${where})`;

/** Faultline's own tables, in creation order (views after their targets). */
export function ownTablesDdl(t: TableNames): string[] {
  return [
    `CREATE TABLE IF NOT EXISTS ${t.schemaVersion} (
        Version UInt32,
        Description String,
        AppliedAt DateTime64(3, 'UTC'),
        RollupSince DateTime64(3, 'UTC')
    ) ENGINE = MergeTree ORDER BY Version`,
    `CREATE TABLE IF NOT EXISTS ${t.functionHourly} (
        -- cityHash64 of the row's lookup key (ROLLUP_KEY), first in the sorting key: a PR's
        -- lookup is one 50-number IN set, which the primary-key analysis checks several times
        -- faster than IN sets of function names and file paths, whose cost grows with the table.
        KeyHash UInt64,
        Hour DateTime('UTC'),
        ServiceName LowCardinality(String),
        SpanName LowCardinality(String),
        FilePath String,
        FunctionName String,
        Calls SimpleAggregateFunction(sum, UInt64),
        Errors SimpleAggregateFunction(sum, UInt64),
        -- Versions seen that hour: a list, not a key column, so frequent deploys do not multiply rows.
        Versions SimpleAggregateFunction(groupUniqArrayArray, Array(String)),
        Duration AggregateFunction(quantilesTDigest(0.5, 0.95, 0.99), UInt64)
    ) ENGINE = AggregatingMergeTree
    PARTITION BY toYYYYMM(Hour)
    -- The other key columns only keep rows apart that share a hash (and its key's services and span names).
    ORDER BY (KeyHash, Hour, ServiceName, SpanName, FilePath, FunctionName)
    -- A PR's functions are scattered over the key space, a few hundred rows each: small
    -- granules read those rows, not 8192-row neighbourhoods (which grow with the table).
    SETTINGS index_granularity = 256`,
    `CREATE MATERIALIZED VIEW IF NOT EXISTS ${t.functionHourlyView} TO ${t.functionHourly} AS ${functionHourlySelect(t)}`,
    `CREATE TABLE IF NOT EXISTS ${t.functionKeys} (
        ServiceName LowCardinality(String),
        SpanName LowCardinality(String),
        FilePath String,
        FunctionName String,
        FirstHour SimpleAggregateFunction(min, DateTime('UTC')),
        LastHour SimpleAggregateFunction(max, DateTime('UTC')),
        Calls SimpleAggregateFunction(sum, UInt64),
        -- Traces through this key, for entrypoints: kept per key (small), not per hour. The 16
        -- smallest ids: trace ids are random, so a uniform sample, but the same one on every
        -- read (stable entrypoint figures), shared by functions on the same traces, and
        -- clustered at the start of the entrypoint table's TraceId order (fewer granules).
        TraceIds AggregateFunction(groupArraySorted(16), String)
    ) ENGINE = AggregatingMergeTree
    ORDER BY (FunctionName, FilePath, ServiceName, SpanName)`,
    `CREATE MATERIALIZED VIEW IF NOT EXISTS ${t.functionKeysView} TO ${t.functionKeys} AS ${functionKeysSelect(t)}`,
    `CREATE TABLE IF NOT EXISTS ${t.exceptionHourly} (
        StackHash UInt64,
        Hour DateTime('UTC'),
        ServiceName LowCardinality(String),
        ServiceVersion LowCardinality(String),
        VcsRevision LowCardinality(String),
        SpanName LowCardinality(String),
        FilePath String,
        FunctionName String,
        ExceptionType LowCardinality(String),
        -- Recordings: one thrown exception is recorded on every span it unwinds through (the
        -- function's, its callers', the HTTP server span), so this over-counts occurrences.
        Count SimpleAggregateFunction(sum, UInt64),
        -- Occurrences: the distinct traces (log records outside a trace: each its own) that
        -- recorded this stack. Merged across the rows of one stack hash — the copies on the
        -- spans of one trace — they count the thrown exception once. A trace that really
        -- throws the same stack twice counts once too: accepted, it is one failed request.
        Occurrences AggregateFunction(uniqExact, String),
        FirstSeen SimpleAggregateFunction(min, DateTime64(3, 'UTC')),
        LastSeen SimpleAggregateFunction(max, DateTime64(3, 'UTC')),
        SampleMessage SimpleAggregateFunction(anyLast, String)
    ) ENGINE = AggregatingMergeTree
    PARTITION BY toYYYYMM(Hour)
    ORDER BY (StackHash, Hour, ServiceName, ServiceVersion, VcsRevision, SpanName, FilePath, FunctionName, ExceptionType)
    -- Point lookups of a PR's stack hashes: see faultline_function_hourly.
    SETTINGS index_granularity = 256`,
    `CREATE MATERIALIZED VIEW IF NOT EXISTS ${t.exceptionHourlyFromTracesView} TO ${t.exceptionHourly} AS ${exceptionHourlySelect(t, "traces")}`,
    `CREATE MATERIALIZED VIEW IF NOT EXISTS ${t.exceptionHourlyFromLogsView} TO ${t.exceptionHourly} AS ${exceptionHourlySelect(t, "logs")}`,
    `CREATE TABLE IF NOT EXISTS ${t.exceptionStacks} (
        StackHash UInt64,
        ServiceName LowCardinality(String),
        ServiceVersion LowCardinality(String),
        VcsRevision LowCardinality(String),
        SpanName LowCardinality(String),
        FilePath String,
        FunctionName String,
        ExceptionType LowCardinality(String),
        Stack SimpleAggregateFunction(any, String),
        StackStems SimpleAggregateFunction(any, Array(String)),
        StackNames SimpleAggregateFunction(any, Array(String)),
        FirstSeen SimpleAggregateFunction(min, DateTime64(3, 'UTC')),
        LastSeen SimpleAggregateFunction(max, DateTime64(3, 'UTC'))
    ) ENGINE = AggregatingMergeTree
    ORDER BY (ServiceName, ServiceVersion, VcsRevision, SpanName, FilePath, FunctionName, ExceptionType, StackHash)`,
    `CREATE MATERIALIZED VIEW IF NOT EXISTS ${t.exceptionStacksFromTracesView} TO ${t.exceptionStacks} AS ${exceptionStacksSelect(t, "traces")}`,
    `CREATE MATERIALIZED VIEW IF NOT EXISTS ${t.exceptionStacksFromLogsView} TO ${t.exceptionStacks} AS ${exceptionStacksSelect(t, "logs")}`,
    `CREATE TABLE IF NOT EXISTS ${t.traceEntrypoints} (
        TraceId String,
        Hour DateTime('UTC'),
        ServiceName LowCardinality(String),
        Entrypoint String
    ) ENGINE = ReplacingMergeTree
    PARTITION BY toYYYYMM(Hour)
    ORDER BY TraceId
    -- Point lookups of ~800 sampled trace ids, each in its own granule: small granules and
    -- small compressed blocks, or every lookup decompresses a 64 KiB block per column.
    SETTINGS index_granularity = 64, min_compress_block_size = 2048, max_compress_block_size = 4096`,
    `CREATE MATERIALIZED VIEW IF NOT EXISTS ${t.traceEntrypointsView} TO ${t.traceEntrypoints} AS ${traceEntrypointsSelect(t)}`,
    `CREATE TABLE IF NOT EXISTS ${t.serviceHourly} (
        Hour DateTime('UTC'),
        ServiceName LowCardinality(String),
        Calls SimpleAggregateFunction(sum, UInt64),
        Roots SimpleAggregateFunction(sum, UInt64)
    ) ENGINE = AggregatingMergeTree
    ORDER BY (Hour, ServiceName)`,
    `CREATE MATERIALIZED VIEW IF NOT EXISTS ${t.serviceHourlyView} TO ${t.serviceHourly} AS ${serviceHourlySelect(t)}`,
    `CREATE TABLE IF NOT EXISTS ${t.spanFunctions} (
        ServiceName LowCardinality(String),
        SpanName String,
        File String,
        FunctionName String,
        Evidence UInt64,
        LearnedAt DateTime64(3, 'UTC')
    ) ENGINE = ReplacingMergeTree(LearnedAt)
    ORDER BY (ServiceName, SpanName, File, FunctionName)`,
    `CREATE TABLE IF NOT EXISTS ${t.incidents} (
        Id String,
        Title String,
        Severity LowCardinality(String),
        StartedAt DateTime64(3, 'UTC'),
        ResolvedAt Nullable(DateTime64(3, 'UTC')),
        ServiceName String,
        Url String,
        Source LowCardinality(String),
        Functions Array(String),
        Fingerprints Array(String),
        Evidence String,
        UpdatedAt DateTime64(3, 'UTC')
    ) ENGINE = ReplacingMergeTree(UpdatedAt)
    ORDER BY Id`,
  ];
}

/** Backfills of the rollups from data that existed before their views (run once, at creation). */
export function backfillStatements(t: TableNames, cutoffParam: string): string[] {
  const before = `Timestamp < ${cutoffParam}`;
  return [
    `INSERT INTO ${t.functionHourly} ${functionHourlySelect(t, before)}`,
    `INSERT INTO ${t.functionKeys} ${functionKeysSelect(t, before)}`,
    `INSERT INTO ${t.exceptionHourly} ${exceptionHourlySelect(t, "traces", before)}`,
    `INSERT INTO ${t.exceptionHourly} ${exceptionHourlySelect(t, "logs", before)}`,
    `INSERT INTO ${t.exceptionStacks} ${exceptionStacksSelect(t, "traces", before)}`,
    `INSERT INTO ${t.exceptionStacks} ${exceptionStacksSelect(t, "logs", before)}`,
    `INSERT INTO ${t.traceEntrypoints} ${traceEntrypointsSelect(t, before)}`,
    `INSERT INTO ${t.serviceHourly} ${serviceHourlySelect(t, before)}`,
  ];
}
