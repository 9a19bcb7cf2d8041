/**
 * Errors the shop raises on purpose; the HTTP layer maps them to 422 answers. The machine
 * readable `reason` is not called `code`: OpenTelemetry would report it as the exception type.
 */
export class CheckoutError extends Error {
  constructor(message, reason) {
    super(message);
    this.name = this.constructor.name;
    this.reason = reason;
  }
}

export class CardError extends CheckoutError {}
export class DiscountError extends CheckoutError {}
export class OutOfStockError extends CheckoutError {}
export class PricingError extends CheckoutError {}
