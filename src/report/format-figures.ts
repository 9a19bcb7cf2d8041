/** Figures and labels as the report prints them; every result is safe Markdown. */
import type { RiskLevel } from "../risk/types.ts";
import { escapeMarkdown } from "./escape.ts";

export const LEVEL_EMOJI: Record<RiskLevel, string> = {
  low: "🟢",
  medium: "🟡",
  high: "🟠",
  critical: "🔴",
};

export const compact = new Intl.NumberFormat("en-US", {
  notation: "compact",
  maximumFractionDigits: 1,
});

export function ms(value: number | null): string {
  if (value === null) return "–";
  if (value >= 1000) return `${(value / 1000).toFixed(value >= 10_000 ? 0 : 1)} s`;
  return `${value >= 10 ? Math.round(value) : value.toFixed(1)} ms`;
}

export const isoDate = (iso: string): string => escapeMarkdown(iso.slice(0, 10), 10);
export const isoMinute = (iso: string): string =>
  escapeMarkdown(`${iso.slice(0, 16).replace("T", " ")} UTC`, 24);
export const shortSha = (sha: string): string =>
  /^[0-9a-f]{7,64}$/i.test(sha) ? sha.slice(0, 7) : "";
