/** Errors the shop raises on purpose; the HTTP layer maps them to 4xx answers. */
export class CheckoutError extends Error {
  constructor(message, code) {
    super(message);
    this.name = this.constructor.name;
    this.code = code;
  }
}

export class CardError extends CheckoutError {}
export class DiscountError extends CheckoutError {}
export class OutOfStockError extends CheckoutError {}
export class PricingError extends CheckoutError {}
