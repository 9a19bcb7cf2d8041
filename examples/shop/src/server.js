/**
 * The shop's HTTP API. Start with `npm start` (tsx loads `faultline/instrument` from its
 * TypeScript source); PORT (default 3000, 0 = any free port). Prints one JSON line
 * `{"listening":PORT}` once it accepts requests; SIGTERM/SIGINT flush spans and exit.
 */

import { createServer } from "node:http";
import { SpanKind, SpanStatusCode, trace } from "@opentelemetry/api";
import shop from "./checkout.js";
import { CheckoutError } from "./errors.js";
import inventory from "./inventory.js";
import { shutdownTracing } from "./tracing.js";

const tracer = trace.getTracer("shop-http");
const MAX_BODY_BYTES = 64 * 1024;

const routes = {
  "POST /checkout": (body, today) => shop.checkout(body, today),
  "POST /quote": (body, today) => shop.quote(body, today),
  "GET /inventory/low": () => inventory.lowStockSkus(25),
  "POST /inventory/restock": (body) => ({ quantity: inventory.restock(body.sku, body.quantity) }),
};

function readJson(req) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    let size = 0;
    req.on("data", (chunk) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        reject(new CheckoutError("request body too large", "too_large"));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on("end", () => {
      const text = Buffer.concat(chunks).toString("utf8");
      try {
        resolve(text ? JSON.parse(text) : {});
      } catch (error) {
        reject(error);
      }
    });
    req.on("error", reject);
  });
}

function send(res, status, payload) {
  const body = JSON.stringify(payload);
  res.writeHead(status, {
    "content-type": "application/json",
    "content-length": Buffer.byteLength(body),
  });
  res.end(body);
}

async function handle(req, res) {
  const path = new URL(req.url ?? "/", "http://localhost").pathname;
  const route = `${req.method} ${path}`;
  const handler = routes[route];
  if (!handler) {
    send(res, 404, { error: "not_found" });
    return;
  }
  await tracer.startActiveSpan(
    route,
    {
      kind: SpanKind.SERVER,
      attributes: { "http.request.method": req.method, "http.route": path },
    },
    async (span) => {
      try {
        const body = req.method === "POST" ? await readJson(req) : {};
        // The business date comes from the client's clock header when present (tests, replays).
        const today = req.headers["x-business-date"] ?? new Date().toISOString().slice(0, 10);
        const result = handler(body, today);
        span.setAttribute("http.response.status_code", 200);
        send(res, 200, result);
      } catch (error) {
        const status =
          error instanceof CheckoutError ? 422 : error instanceof SyntaxError ? 400 : 500;
        span.recordException(error);
        span.setStatus({ code: SpanStatusCode.ERROR, message: error.message });
        span.setAttribute("http.response.status_code", status);
        send(res, status, { error: error.reason ?? "internal", message: error.message });
      } finally {
        span.end();
      }
    },
  );
}

const server = createServer((req, res) => {
  handle(req, res).catch((error) => {
    process.stderr.write(`shop: ${error.stack}\n`);
    if (!res.headersSent) send(res, 500, { error: "internal" });
  });
});

server.listen(Number(process.env.PORT ?? 3000), "127.0.0.1", () => {
  process.stdout.write(`${JSON.stringify({ listening: server.address().port })}\n`);
});

async function stop() {
  server.close();
  server.closeAllConnections();
  await shutdownTracing();
  process.exit(0);
}
process.once("SIGTERM", stop);
process.once("SIGINT", stop);
