/** Discount codes: campaigns with a kind, a limit, a minimum spend and an expiry date. */
import { instrumentModule } from "faultline/instrument";
import { DiscountError } from "./errors.js";

const CAMPAIGNS = {
  SAVE10: { kind: "percent", percent: 10, maxCents: 2500, minSpendCents: 0, expires: "2027-12-31" },
  SAVE25: {
    kind: "percent",
    percent: 25,
    maxCents: 3000,
    minSpendCents: 6000,
    expires: "2027-06-30",
  },
  WELCOME5: { kind: "fixed", amountCents: 500, minSpendCents: 2000, expires: "2027-12-31" },
  FREESHIP: { kind: "shipping", minSpendCents: 0, expires: "2027-12-31" },
  SUMMER20: {
    kind: "percent",
    percent: 20,
    maxCents: 4000,
    minSpendCents: 0,
    expires: "2026-09-01",
  },
  BLACKFRIDAY: {
    kind: "percent",
    percent: 30,
    maxCents: 5000,
    minSpendCents: 5000,
    expires: "2026-11-30",
  },
};

export function normalizeCode(code) {
  if (typeof code !== "string") {
    throw new TypeError(`discount code must be a string, got ${typeof code}`);
  }
  return code
    .trim()
    .toUpperCase()
    .replace(/[\s-]+/g, "");
}

/**
 * What a code is worth on this subtotal, as of `today` (YYYY-MM-DD). Throws
 * DiscountError when the code is unknown, expired or the cart is below its minimum.
 */
export function redeemDiscount(code, subtotalCents, today) {
  const normalized = normalizeCode(code);
  const campaign = CAMPAIGNS[normalized];
  if (!campaign) {
    throw new DiscountError(`unknown discount code ${normalized}`, "unknown_code");
  }
  if (today > campaign.expires) {
    throw new DiscountError(`code ${normalized} expired on ${campaign.expires}`, "expired");
  }
  if (subtotalCents < campaign.minSpendCents) {
    const missing = ((campaign.minSpendCents - subtotalCents) / 100).toFixed(2);
    throw new DiscountError(`add ${missing} more to use ${normalized}`, "below_minimum");
  }
  switch (campaign.kind) {
    case "percent": {
      const raw = Math.round((subtotalCents * campaign.percent) / 100);
      return {
        code: normalized,
        discountCents: Math.min(raw, campaign.maxCents),
        freeShipping: false,
      };
    }
    case "fixed":
      return {
        code: normalized,
        discountCents: Math.min(campaign.amountCents, subtotalCents),
        freeShipping: false,
      };
    case "shipping":
      return { code: normalized, discountCents: 0, freeShipping: true };
    default:
      throw new DiscountError(`campaign ${normalized} is misconfigured`, "misconfigured");
  }
}

/** What the rest of the service calls: every function traced, inputs captured (redacted). */
export default instrumentModule({ normalizeCode, redeemDiscount }, { file: "src/discounts.js" });
