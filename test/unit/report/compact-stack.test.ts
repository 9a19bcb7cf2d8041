import { describe, expect, it } from "vitest";
import { compactStack } from "../../../src/report/compact-stack.ts";

describe("compactStack", () => {
  it("keeps the message and in-app frames, folding library runs into one line each", () => {
    const stack = [
      "DiscountError: add 54.00 more to use SAVE25",
      "    at Object.redeemDiscount (file:///srv/shop/src/discounts.js:57:11)",
      "    at AsyncLocalStorage.run (node:async_hooks:346:14)",
      "    at ContextAPI.with (/srv/shop/node_modules/@opentelemetry/api/build/src/api/context.js:60:46)",
      "    at Tracer.startActiveSpan (/srv/shop/node_modules/@opentelemetry/sdk-trace-base/build/src/Tracer.js:121:32)",
      "    at Object.checkout (file:///srv/shop/src/checkout.js:16:17)",
      "    at process.processTicksAndRejections (node:internal/process/task_queues:95:5)",
    ].join("\n");
    expect(compactStack(stack)).toBe(
      [
        "DiscountError: add 54.00 more to use SAVE25",
        "    at Object.redeemDiscount (file:///srv/shop/src/discounts.js:57:11)",
        "    … 3 library frames",
        "    at Object.checkout (file:///srv/shop/src/checkout.js:16:17)",
        "    … 1 library frame",
      ].join("\n"),
    );
  });

  it("leaves a stack without library frames unchanged", () => {
    const stack = "TypeError: x\n    at f (/app/src/a.js:1:2)\n    at /app/src/b.js:3:4";
    expect(compactStack(stack)).toBe(stack);
  });
});
