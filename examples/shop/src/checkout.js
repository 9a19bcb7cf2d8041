/** One checkout: validate the card, price the cart, apply the code, reserve stock. */
import { instrumentModule } from "faultline/instrument";
import cards from "./cards.js";
import discounts from "./discounts.js";
import inventory from "./inventory.js";
import pricing from "./pricing.js";

/**
 * `order`: { items: [{ sku, quantity }], region, card: { number, expiry, cvc }, code? }.
 * `today` is passed in (YYYY-MM-DD) so every step is reproducible.
 */
export function checkout(order, today) {
  const card = cards.validateCard(order.card, today);
  const cart = pricing.priceCart(order.items);
  const discount = order.code
    ? discounts.redeemDiscount(order.code, cart.subtotalCents, today)
    : { code: null, discountCents: 0, freeShipping: false };
  const discountedCents = cart.subtotalCents - discount.discountCents;
  const shippingCents = pricing.shippingCost(
    order.region,
    cart.weightGrams,
    discountedCents,
    discount.freeShipping,
  );
  const taxCents = pricing.taxFor(order.region, discountedCents + shippingCents);
  inventory.reserveStock(cart.lines);
  return {
    lines: cart.lines.length,
    subtotalCents: cart.subtotalCents,
    discountCents: discount.discountCents,
    shippingCents,
    taxCents,
    totalCents: discountedCents + shippingCents + taxCents,
    card,
  };
}

/** A price quote without payment or reservation, for the cart page. */
export function quote(order, today) {
  const cart = pricing.priceCart(order.items);
  const discount = order.code
    ? discounts.redeemDiscount(order.code, cart.subtotalCents, today)
    : { discountCents: 0, freeShipping: false };
  const discountedCents = cart.subtotalCents - discount.discountCents;
  const shippingCents = pricing.shippingCost(
    order.region,
    cart.weightGrams,
    discountedCents,
    discount.freeShipping,
  );
  return {
    subtotalCents: cart.subtotalCents,
    discountCents: discount.discountCents,
    shippingCents,
  };
}

export default instrumentModule({ checkout, quote }, { file: "src/checkout.js" });
