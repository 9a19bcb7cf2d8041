import type { FunctionReport } from "../report/types.ts";
import { levelRank } from "./level-for-score.ts";

/** Code-unit order: unlike localeCompare, the same on every machine and locale. */
const compareText = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** Riskiest first; ties broken by path, line and name so the order never flickers. */
export function sortByRisk(functions: FunctionReport[]): FunctionReport[] {
  return [...functions].sort(
    (a, b) =>
      b.risk.score - a.risk.score ||
      levelRank(b.risk.level) - levelRank(a.risk.level) ||
      compareText(a.fn.file, b.fn.file) ||
      a.fn.startLine - b.fn.startLine ||
      compareText(a.fn.name, b.fn.name),
  );
}
