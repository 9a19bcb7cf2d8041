import { describe, expect, it } from "vitest";
import { attributeStack, deployedRevision } from "../../../src/telemetry/attribute-stack.ts";
import { createPathMapper } from "../../../src/telemetry/path-mapper.ts";
import type { FrameLocator, FunctionKey } from "../../../src/telemetry/types.ts";
import { paymentFailure } from "../../support/real-stacks.ts";
import { createShopRepo } from "../../support/shop-repo.ts";

const functions: FunctionKey[] = [
  { file: "src/payments.js", name: "chargeCard" },
  { file: "src/payments.js", name: "handlePayment" },
  { file: "src/orders.js", name: "OrderService.checkout" },
];

describe("attributeStack", () => {
  it("maps in-app frames to functions at the deployed commit; the top frame is the culprit", async () => {
    const shop = await createShopRepo();
    try {
      const { stack } = await paymentFailure("/usr/src/app/");
      const links = await attributeStack(stack, {
        functions,
        mapPath: createPathMapper(await shop.locator.repoFiles(), []),
        locator: shop.locator,
        revision: shop.sha,
      });
      expect(links).toEqual([
        { index: 0, method: "stack-frame", culprit: true },
        { index: 1, method: "stack-frame", culprit: false },
      ]);
    } finally {
      shop.remove();
    }
  });

  it("falls back to frame names when no locator can place the line", async () => {
    const { stack } = await paymentFailure("/usr/src/app/");
    const links = await attributeStack(stack, {
      functions,
      mapPath: createPathMapper(["src/payments.js", "src/orders.js"], []),
      revision: null,
    });
    expect(links).toEqual([
      { index: 0, method: "name-fallback", culprit: true },
      { index: 1, method: "name-fallback", culprit: false },
    ]);
  });

  it("does not trust compiled-file lines whose function name disagrees", async () => {
    const locator: FrameLocator = {
      // Line 4 of the TS source is inside another function than the compiled frame says.
      functionAt: async () => "helpers.format",
      repoFiles: async () => ["src/payments.ts"],
    };
    const stack = "TypeError: x\n    at chargeCard (/srv/app/dist/payments.js:4:11)";
    const links = await attributeStack(stack, {
      functions: [{ file: "src/payments.ts", name: "chargeCard" }],
      mapPath: createPathMapper(["src/payments.ts"], []),
      locator,
      revision: null,
    });
    expect(links).toEqual([{ index: 0, method: "name-fallback", culprit: true }]);
  });

  it("reads the deployed commit from vcs.ref.head.revision, then service.version", () => {
    expect(deployedRevision("1.4.2", "9f8e7d6c5b4a")).toBe("9f8e7d6c5b4a");
    expect(deployedRevision("9f8e7d6", "")).toBe("9f8e7d6");
    expect(deployedRevision("1.4.2", "main")).toBeNull();
  });
});
