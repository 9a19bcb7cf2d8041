/**
 * Per-call overhead of `faultline/instrument`, side by side in one run: an unwrapped call,
 * a wrapped call with no OTel SDK (no-op spans), and with a real SDK (spans recorded and
 * exported to a sink that drops them) sampled out (rate 0) and sampled in (rate 1, args
 * and result serialised and redacted).
 */
import { context, trace } from "@opentelemetry/api";
import type { ExportResult } from "@opentelemetry/core";
import {
  BatchSpanProcessor,
  NodeTracerProvider,
  type ReadableSpan,
  type SpanExporter,
} from "@opentelemetry/sdk-trace-node";
import { instrument } from "../src/instrument/index.ts";

/** A realistic small function: validates and prices an order line. */
function priceLine(line: { sku: string; qty: number; priceCents: number; email: string }) {
  if (line.qty <= 0) throw new RangeError("qty");
  return { sku: line.sku, total: line.qty * line.priceCents, currency: "EUR" };
}
const input = { sku: "TEA-01", qty: 2, priceCents: 1299, email: "maria.garcia@gmail.com" };

class DropExporter implements SpanExporter {
  exported = 0;
  export(spans: ReadableSpan[], done: (result: ExportResult) => void): void {
    this.exported += spans.length;
    done({ code: 0 });
  }
  shutdown(): Promise<void> {
    return Promise.resolve();
  }
}

/** ns per call of `fn`, after a warm-up. */
function measure(fn: (x: typeof input) => unknown, iterations: number): number {
  for (let i = 0; i < Math.min(iterations, 2000); i += 1) fn(input);
  (globalThis as { gc?: () => void }).gc?.();
  let sink = 0;
  const start = process.hrtime.bigint();
  for (let i = 0; i < iterations; i += 1) sink += (fn(input) as { total: number }).total;
  const ns = Number(process.hrtime.bigint() - start) / iterations;
  return sink === -1 ? 0 : ns;
}

const median = (xs: number[]): number =>
  [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;
const meta = { name: "priceLine", file: "src/pricing.js" };

// The no-SDK case first: registering a provider is global and cannot be fully undone.
const noSdk = instrument(priceLine, meta, { sampleRate: 1 });
const variants: { label: string; fn: (x: typeof input) => unknown; n: number; runs: number[] }[] = [
  { label: "unwrapped", fn: priceLine, n: 500_000, runs: [] },
  { label: "wrapped, no SDK (no-op spans)", fn: noSdk, n: 100_000, runs: [] },
];
for (let round = 0; round < 3; round += 1) {
  for (const v of variants) v.runs.push(measure(v.fn, v.n));
}

const exporter = new DropExporter();
const provider = new NodeTracerProvider({
  spanProcessors: [
    new BatchSpanProcessor(exporter, { maxQueueSize: 100_000, scheduledDelayMillis: 50 }),
  ],
});
provider.register();
const withSdk = [
  { label: "wrapped, SDK, sampled out (rate 0)", rate: 0, n: 20_000 },
  { label: "wrapped, SDK, default rate (0.1)", rate: undefined, n: 20_000 },
  { label: "wrapped, SDK, sampled in (rate 1)", rate: 1, n: 5_000 },
].map((v) => ({
  label: v.label,
  fn: instrument(priceLine, meta, v.rate === undefined ? {} : { sampleRate: v.rate }),
  n: v.n,
  runs: [] as number[],
}));
// Interleaved rounds, median of each: the machine is shared, so single runs are noisy.
for (let round = 0; round < 5; round += 1) {
  for (const v of withSdk) {
    v.runs.push(measure(v.fn, v.n));
    await provider.forceFlush();
  }
}
await provider.shutdown();
trace.disable();
context.disable();

const rows = [...variants, ...withSdk].map((v) => ({ label: v.label, ns: median(v.runs) }));
const base = rows[0]?.ns ?? 1;
process.stdout.write("per-call cost (median ns) beside the unwrapped call\n");
for (const row of rows) {
  process.stdout.write(
    `  ${row.label.padEnd(38)} ${row.ns.toFixed(0).padStart(8)} ns   x${(row.ns / base).toFixed(1).padStart(7)}   +${((row.ns - base) / 1000).toFixed(2)} µs/call\n`,
  );
}
process.stdout.write(
  `  (spans exported: ${exporter.exported}; BatchSpanProcessor to a sink that drops them)\n`,
);
