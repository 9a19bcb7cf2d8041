/** Payment card checks done before the card is sent to the payment provider. */
import { instrumentModule } from "faultline/instrument";
import { CardError } from "./errors.js";

export function luhnValid(digits) {
  let sum = 0;
  let double = false;
  for (let i = digits.length - 1; i >= 0; i--) {
    let d = digits.charCodeAt(i) - 48;
    if (double) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    double = !double;
  }
  return sum % 10 === 0;
}

export function detectBrand(digits) {
  if (/^4/.test(digits)) return "visa";
  if (/^(5[1-5]|2[2-7])/.test(digits)) return "mastercard";
  if (/^3[47]/.test(digits)) return "amex";
  if (/^6(011|5)/.test(digits)) return "discover";
  return "unknown";
}

/** Checks number, expiry (`MM/YY`) and CVC; returns the brand and last four digits. */
export function validateCard(card, today) {
  const digits = String(card.number).replace(/[\s-]/g, "");
  if (!/^\d{12,19}$/.test(digits)) {
    throw new CardError("card number must be 12 to 19 digits", "invalid_number");
  }
  if (!luhnValid(digits)) {
    throw new CardError("card number failed the checksum", "invalid_number");
  }
  const brand = detectBrand(digits);
  if (brand === "unknown") {
    throw new CardError("card brand not accepted", "unsupported_brand");
  }
  const match = /^(\d{2})\/(\d{2})$/.exec(card.expiry);
  if (!match) {
    throw new CardError("expiry must look like MM/YY", "invalid_expiry");
  }
  const month = Number(match[1]);
  const year = 2000 + Number(match[2]);
  if (month < 1 || month > 12) {
    throw new CardError("expiry month must be 01 to 12", "invalid_expiry");
  }
  const [todayYear, todayMonth] = today.split("-").map(Number);
  if (year < todayYear || (year === todayYear && month < todayMonth)) {
    throw new CardError("card has expired", "expired_card");
  }
  const cvcLength = brand === "amex" ? 4 : 3;
  if (!new RegExp(`^\\d{${cvcLength}}$`).test(card.cvc)) {
    throw new CardError(`cvc must be ${cvcLength} digits`, "invalid_cvc");
  }
  return { brand, last4: digits.slice(-4) };
}

/** What the rest of the service calls: every function traced, inputs captured (redacted). */
export default instrumentModule({ luhnValid, detectBrand, validateCard }, { file: "src/cards.js" });
