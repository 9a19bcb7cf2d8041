/** In-memory stock levels; a real deployment would keep these in a database. */
import { instrumentModule } from "faultline/instrument";
import { INITIAL_STOCK } from "./catalog.js";
import { OutOfStockError } from "./errors.js";

const stock = new Map(Object.entries(INITIAL_STOCK));

/** Reserves every line or none: a failed line releases what was already taken. */
export function reserveStock(lines) {
  const taken = [];
  for (const line of lines) {
    const available = stock.get(line.sku) ?? 0;
    if (available < line.quantity) {
      for (const done of taken) {
        stock.set(done.sku, stock.get(done.sku) + done.quantity);
      }
      throw new OutOfStockError(
        `only ${available} of ${line.sku} left, ${line.quantity} requested`,
        "out_of_stock",
      );
    }
    stock.set(line.sku, available - line.quantity);
    taken.push(line);
  }
  return taken.length;
}

export function restock(sku, quantity) {
  stock.set(sku, (stock.get(sku) ?? 0) + quantity);
  return stock.get(sku);
}

/** SKUs at or below `threshold`, lowest first, for the warehouse dashboard. */
export function lowStockSkus(threshold) {
  const low = [];
  for (const [sku, quantity] of stock) {
    if (quantity <= threshold) {
      low.push({ sku, quantity });
    }
  }
  low.sort((a, b) => a.quantity - b.quantity);
  return low;
}

/** What the rest of the service calls: every function traced, inputs captured (redacted). */
export default instrumentModule(
  { reserveStock, restock, lowStockSkus },
  { file: "src/inventory.js" },
);
