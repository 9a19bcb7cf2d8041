/**
 * The code changes the demo makes: one past fix (so git history has something to say)
 * and the pull request — one risky change in the hottest, most error-prone function and
 * one harmless refactor in a quiet one. Each edit replaces exact text, and fails loudly
 * when the example has drifted, so the demo cannot silently stop changing anything.
 */
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";

export interface Edit {
  file: string;
  find: string;
  replace: string;
}

export interface Commit {
  message: string;
  /** Age of the commit, so history-based factors (churn, past fixes) see a realistic timeline. */
  daysAgo: number;
  edits: Edit[];
}

/** A fix that production needed six weeks ago: the minimum spend was not enforced. */
export const PAST_FIX: Commit = {
  message: "Fix: enforce the minimum spend of discount codes (#41)",
  daysAgo: 42,
  edits: [
    {
      file: "src/discounts.js",
      find: `    throw new DiscountError(\`code \${normalized} expired on \${campaign.expires}\`, "expired");
  }
  switch (campaign.kind) {`,
      replace: `    throw new DiscountError(\`code \${normalized} expired on \${campaign.expires}\`, "expired");
  }
  if (subtotalCents < campaign.minSpendCents) {
    const missing = ((campaign.minSpendCents - subtotalCents) / 100).toFixed(2);
    throw new DiscountError(\`add \${missing} more to use \${normalized}\`, "below_minimum");
  }
  switch (campaign.kind) {`,
    },
  ],
};

/**
 * The risky half of the PR: campaigns become injectable (a signature change), "simpler"
 * errors turn every bad code into a 500 (the HTTP layer maps only DiscountError to 422),
 * and the percentage cap is gone.
 */
export const RISKY_CHANGE: Commit = {
  message: "Discounts: simplify redeemDiscount",
  daysAgo: 0.2,
  edits: [
    {
      file: "src/discounts.js",
      find: `export function redeemDiscount(code, subtotalCents, today) {
  const normalized = normalizeCode(code);
  const campaign = CAMPAIGNS[normalized];`,
      replace: `export function redeemDiscount(code, subtotalCents, today, campaigns = CAMPAIGNS) {
  const normalized = normalizeCode(code);
  const campaign = campaigns[normalized];`,
    },
    {
      file: "src/discounts.js",
      find: `  if (!campaign) {
    throw new DiscountError(\`unknown discount code \${normalized}\`, "unknown_code");
  }
  if (today > campaign.expires) {
    throw new DiscountError(\`code \${normalized} expired on \${campaign.expires}\`, "expired");
  }
  if (subtotalCents < campaign.minSpendCents) {
    const missing = ((campaign.minSpendCents - subtotalCents) / 100).toFixed(2);
    throw new DiscountError(\`add \${missing} more to use \${normalized}\`, "below_minimum");
  }
  switch (campaign.kind) {
    case "percent": {
      const raw = Math.round((subtotalCents * campaign.percent) / 100);
      return {
        code: normalized,
        discountCents: Math.min(raw, campaign.maxCents),
        freeShipping: false,
      };
    }`,
      replace: `  if (!campaign || today > campaign.expires || subtotalCents < campaign.minSpendCents) {
    throw new Error(\`code \${normalized} cannot be used\`);
  }
  switch (campaign.kind) {
    case "percent":
      return {
        code: normalized,
        discountCents: Math.floor((subtotalCents * campaign.percent) / 100),
        freeShipping: false,
      };`,
    },
  ],
};

/** The harmless half: the same result, written with array methods. */
export const HARMLESS_CHANGE: Commit = {
  message: "Inventory: tidy lowStockSkus",
  daysAgo: 0.1,
  edits: [
    {
      file: "src/inventory.js",
      find: `  const low = [];
  for (const [sku, quantity] of stock) {
    if (quantity <= threshold) {
      low.push({ sku, quantity });
    }
  }
  low.sort((a, b) => a.quantity - b.quantity);
  return low;`,
      replace: `  return [...stock]
    .filter(([, quantity]) => quantity <= threshold)
    .map(([sku, quantity]) => ({ sku, quantity }))
    .sort((a, b) => a.quantity - b.quantity);`,
    },
  ],
};

/** Applies edits in `dir`; `reverse` undoes them (used to recreate the code before a fix). */
export async function applyEdits(
  dir: string,
  edits: readonly Edit[],
  reverse = false,
): Promise<void> {
  for (const edit of edits) {
    const [from, to] = reverse ? [edit.replace, edit.find] : [edit.find, edit.replace];
    const path = join(dir, edit.file);
    const text = await readFile(path, "utf8");
    const at = text.indexOf(from);
    if (from === "" || at === -1 || text.indexOf(from, at + 1) !== -1) {
      throw new Error(
        `demo edit does not apply to ${edit.file}: the text to replace is ${at === -1 ? "missing" : "not unique"}. Update examples/demo/edits.ts to match examples/shop.`,
      );
    }
    await writeFile(
      path,
      text.replace(from, () => to),
    );
  }
}
