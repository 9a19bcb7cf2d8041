/** Cart pricing: line totals, subtotal, shipping and tax, all in integer cents. */
import { instrumentModule } from "faultline/instrument";
import { CATALOG } from "./catalog.js";
import { PricingError } from "./errors.js";

const SHIPPING = {
  US: { baseCents: 500, perKgCents: 120, freeOverCents: 7500 },
  CA: { baseCents: 900, perKgCents: 200, freeOverCents: 10000 },
  EU: { baseCents: 1100, perKgCents: 250, freeOverCents: 12000 },
  UK: { baseCents: 1000, perKgCents: 220, freeOverCents: 12000 },
};

const TAX_RATES = { US: 0.0725, CA: 0.13, EU: 0.21, UK: 0.2 };

const MAX_QUANTITY = 20;

export function lineTotal(item) {
  const product = CATALOG.get(item.sku);
  if (!product) {
    throw new PricingError(`unknown sku ${item.sku}`, "unknown_sku");
  }
  if (!Number.isInteger(item.quantity) || item.quantity < 1) {
    throw new RangeError(`quantity must be a positive integer, got ${item.quantity}`);
  }
  if (item.quantity > MAX_QUANTITY) {
    throw new PricingError(`at most ${MAX_QUANTITY} of ${item.sku} per order`, "quantity_limit");
  }
  return {
    sku: item.sku,
    quantity: item.quantity,
    unitCents: product.priceCents,
    totalCents: product.priceCents * item.quantity,
    weightGrams: product.weightGrams * item.quantity,
  };
}

export function priceCart(items) {
  if (items.length === 0) {
    throw new PricingError("cart is empty", "empty_cart");
  }
  const lines = items.map((item) => lineTotal(item));
  let subtotalCents = 0;
  let weightGrams = 0;
  for (const line of lines) {
    subtotalCents += line.totalCents;
    weightGrams += line.weightGrams;
  }
  return { lines, subtotalCents, weightGrams };
}

export function shippingCost(region, weightGrams, subtotalCents, freeShipping) {
  const zone = SHIPPING[region];
  if (!zone) {
    throw new PricingError(`we do not ship to ${region}`, "unknown_region");
  }
  if (freeShipping || subtotalCents >= zone.freeOverCents) {
    return 0;
  }
  const kilos = Math.ceil(weightGrams / 1000);
  return zone.baseCents + kilos * zone.perKgCents;
}

export function taxFor(region, taxableCents) {
  const rate = TAX_RATES[region];
  if (rate === undefined) {
    throw new PricingError(`no tax rate for ${region}`, "unknown_region");
  }
  return Math.round(taxableCents * rate);
}

/** What the rest of the service calls: every function traced, inputs captured (redacted). */
export default instrumentModule(
  { lineTotal, priceCart, shippingCost, taxFor },
  { file: "src/pricing.js" },
);
