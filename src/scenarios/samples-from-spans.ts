import type { ReadableSpan } from "@opentelemetry/sdk-trace-base";
import { ATTR } from "../telemetry/attribute-names.ts";
import type { InputSample } from "../telemetry/types.ts";
import { compareText } from "./compare-text.ts";

/** One span's captured call, however it was read (SDK span, ClickHouse row). */
export interface CapturedCall {
  /** `SpanAttributes` (or SDK span attributes). */
  attributes: Record<string, unknown>;
  /** Span start, ISO. */
  time: string;
  /** `service.version` / `vcs.ref.head.revision` of the span's resource, if any. */
  version: string | null;
}

/**
 * Groups captured calls into `InputSample`s: one per (function, arguments, outcome), with
 * how often it was seen and when last. Calls without `faultline.args` (sampled out) are
 * skipped. `repoPath` maps a deployed `code.file.path` to the repo path (identity by default).
 * Sorted by function, then most frequent first, then by arguments: deterministic.
 */
export function samplesFromCalls(
  calls: Iterable<CapturedCall>,
  repoPath: (deployedPath: string) => string = (p) => p,
): InputSample[] {
  const byKey = new Map<string, InputSample>();
  for (const call of calls) {
    const a = call.attributes;
    const name = stringAttr(a[ATTR.functionName]);
    const file = stringAttr(a[ATTR.filePath]);
    const args = stringAttr(a[ATTR.args]);
    const outcomeKind = stringAttr(a[ATTR.outcome]);
    if (!name || !file || args === null) continue;
    let outcome: InputSample["outcome"];
    if (outcomeKind === "throw") {
      outcome = {
        kind: "throw",
        type: stringAttr(a[ATTR.errorType]) ?? "Error",
        message: stringAttr(a[ATTR.errorMessage]) ?? "",
      };
    } else if (outcomeKind === "return") {
      outcome = { kind: "return", value: stringAttr(a[ATTR.result]) ?? '{"$t":"undefined"}' };
    } else {
      continue; // still running when exported, or an unknown writer
    }
    const key = { file: repoPath(file), name };
    const id = JSON.stringify([key.file, key.name, args, outcome]);
    const seen = byKey.get(id);
    if (seen) {
      seen.count += 1;
      if (call.time > seen.lastSeen) {
        seen.lastSeen = call.time;
        seen.version = call.version;
      }
    } else {
      byKey.set(id, { key, args, outcome, count: 1, lastSeen: call.time, version: call.version });
    }
  }
  return [...byKey.values()].sort(
    (x, y) =>
      compareText(x.key.file, y.key.file) ||
      compareText(x.key.name, y.key.name) ||
      y.count - x.count ||
      compareText(x.args, y.args),
  );
}

/** `samplesFromCalls` over finished OTel SDK spans (e.g. from an `InMemorySpanExporter`). */
export function samplesFromSpans(
  spans: readonly ReadableSpan[],
  repoPath?: (deployedPath: string) => string,
): InputSample[] {
  return samplesFromCalls(
    spans.map((span) => ({
      attributes: span.attributes,
      time: new Date(span.startTime[0] * 1000 + span.startTime[1] / 1e6).toISOString(),
      version:
        stringAttr(span.resource.attributes[ATTR.serviceVersion]) ??
        stringAttr(span.resource.attributes[ATTR.vcsRevision]),
    })),
    repoPath,
  );
}

const stringAttr = (value: unknown): string | null => (typeof value === "string" ? value : null);
