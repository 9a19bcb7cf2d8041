/**
 * Real V8 stack traces: the shop fixture (test/fixtures/telemetry/shop) is actually run and
 * its thrown errors' `stack` is rewritten to the path the service is deployed under.
 */
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export const SHOP_DIR = join(dirname(fileURLToPath(import.meta.url)), "../fixtures/telemetry/shop");

export interface RealException {
  type: string;
  message: string;
  stack: string;
}

/** Rewrites the fixture's local path prefix to a deployed prefix such as `/usr/src/app/`. */
function deployed(error: unknown, deployedRoot: string): RealException {
  const e = error as Error;
  const local = `${SHOP_DIR}/`;
  const lines = (e.stack ?? "").split("\n");
  // Keep the fixture's own frames; below them the test harness stands in for Node's event loop.
  const lastShop = lines.findLastIndex((line) => line.includes(local));
  const stack = [
    ...lines.slice(0, lastShop + 1),
    "    at process.processTicksAndRejections (node:internal/process/task_queues:95:5)",
  ]
    .join("\n")
    .split(`file://${local}`)
    .join(deployedRoot)
    .split(local)
    .join(deployedRoot);
  return { type: e.name, message: e.message, stack };
}

/** `RangeError` thrown by `OrderService.checkout` on an empty cart. */
export async function checkoutFailure(deployedRoot = "/usr/src/app/"): Promise<RealException> {
  const { OrderService } = (await import(join(SHOP_DIR, "src/orders.js"))) as {
    OrderService: new (db: unknown) => { checkout(cart: unknown): Promise<unknown> };
  };
  try {
    await new OrderService({ insert: () => null }).checkout({ id: "c-42", items: [] });
  } catch (error) {
    return deployed(error, deployedRoot);
  }
  throw new Error("checkout did not fail");
}

/** `TypeError` thrown by `chargeCard`, called from `handlePayment`. */
export async function paymentFailure(deployedRoot = "/usr/src/app/"): Promise<RealException> {
  const { handlePayment } = (await import(join(SHOP_DIR, "src/payments.js"))) as {
    handlePayment(req: unknown, res: unknown): Promise<void>;
  };
  try {
    await handlePayment(
      { body: { card: { limit: 10, holder: "Jane Roe", last4: "4242" }, amount: 99 } },
      { json: () => undefined },
    );
  } catch (error) {
    return deployed(error, deployedRoot);
  }
  throw new Error("payment did not fail");
}
