/**
 * OpenTelemetry set-up, imported first by the server. Spans go over OTLP/HTTP (protobuf)
 * to OTEL_EXPORTER_OTLP_ENDPOINT; `service.version` is the deployed git SHA, which is
 * how Faultline ties stack traces to the code that was running.
 */
import { OTLPTraceExporter } from "@opentelemetry/exporter-trace-otlp-proto";
import { resourceFromAttributes } from "@opentelemetry/resources";
import { BatchSpanProcessor, NodeTracerProvider } from "@opentelemetry/sdk-trace-node";

const endpoint = process.env.OTEL_EXPORTER_OTLP_ENDPOINT ?? "http://127.0.0.1:4318";

const provider = new NodeTracerProvider({
  resource: resourceFromAttributes({
    "service.name": process.env.OTEL_SERVICE_NAME ?? "shop",
    "service.version": process.env.GIT_SHA ?? "unknown",
    "deployment.environment.name": process.env.DEPLOY_ENV ?? "production",
  }),
  spanProcessors: [
    new BatchSpanProcessor(new OTLPTraceExporter({ url: `${endpoint}/v1/traces` }), {
      maxQueueSize: 20000,
      maxExportBatchSize: 1000,
      scheduledDelayMillis: 500,
    }),
  ],
});
provider.register();

/** Sends every buffered span; call before the process exits. */
export function shutdownTracing() {
  return provider.shutdown();
}
