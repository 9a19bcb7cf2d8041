/**
 * What the team's incident tool exported: one past incident on the discount path, whose
 * postmortem linked `redeemDiscount` (the fix is the "#41" commit in the demo's history).
 * Dates are relative to now so the incident keeps the same age on every run.
 */
const DAY_MS = 86_400_000;

export function pastIncidentsJson(now: Date): string {
  const at = (daysAgo: number): string => new Date(now.getTime() - daysAgo * DAY_MS).toISOString();
  return `${JSON.stringify(
    [
      {
        id: "INC-2291",
        title: "Discount codes accepted below their minimum spend",
        severity: "SEV2",
        startedAt: at(43),
        resolvedAt: at(42),
        service: "shop",
        functions: ["src/discounts.js#redeemDiscount"],
        url: "https://incidents.shop.example/INC-2291",
      },
    ],
    null,
    2,
  )}\n`;
}
