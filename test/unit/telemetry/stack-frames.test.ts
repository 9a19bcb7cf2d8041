import { describe, expect, it } from "vitest";
import { parseV8Stack } from "../../../src/telemetry/stack-frames.ts";
import { checkoutFailure, paymentFailure } from "../../support/real-stacks.ts";

describe("parseV8Stack", () => {
  it("parses frames V8 really produced, with the message lines skipped", async () => {
    const { stack } = await paymentFailure("/usr/src/app/");
    expect(parseV8Stack(stack)).toEqual([
      {
        functionName: "chargeCard",
        file: "/usr/src/app/src/payments.js",
        line: 4,
        column: 11,
        async: false,
        inApp: true,
      },
      {
        functionName: "handlePayment",
        file: "/usr/src/app/src/payments.js",
        line: 10,
        column: 25,
        async: false,
        inApp: true,
      },
      {
        functionName: "process.processTicksAndRejections",
        file: "node:internal/process/task_queues",
        line: 95,
        column: 5,
        async: false,
        inApp: false,
      },
    ]);
    expect(parseV8Stack((await checkoutFailure()).stack)[0]?.functionName).toBe(
      "OrderService.checkout",
    );
  });

  it("handles bare locations, async frames, file:// URLs, constructors and aliases", () => {
    const stack = [
      "TypeError: Cannot read properties of undefined (reading 'id')",
      "    at file:///srv/app/dist/server.mjs:12:7",
      "    at async Promise.all (index 0)",
      "    at async OrderService.load (file:///srv/app/dist/orders%20v2.mjs:40:3)",
      "    at new Repository (/srv/app/dist/repo.js:5:11)",
      "    at Router.handle [as handle_request] (/srv/app/node_modules/express/lib/router/layer.js:95:5)",
      "    at Object.<anonymous> (/srv/app/dist/main.js:1:1)",
      "    at eval (eval at compile (/srv/app/dist/tpl.js:3:9), <anonymous>:1:1)",
      "    at node:internal/main/run_main_module:28:49",
    ].join("\n");
    const frames = parseV8Stack(stack);
    expect(frames.map((f) => [f.functionName, f.file, f.line, f.async, f.inApp])).toEqual([
      [null, "/srv/app/dist/server.mjs", 12, false, true],
      ["OrderService.load", "/srv/app/dist/orders v2.mjs", 40, true, true],
      ["Repository", "/srv/app/dist/repo.js", 5, false, true],
      ["Router.handle", "/srv/app/node_modules/express/lib/router/layer.js", 95, false, false],
      [null, "/srv/app/dist/main.js", 1, false, true],
      [null, "node:internal/main/run_main_module", 28, false, false],
    ]);
  });

  it("returns no frames for text that is not a stack", () => {
    expect(parseV8Stack("Error: something\nno frames here")).toEqual([]);
  });
});
