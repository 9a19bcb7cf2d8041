import type { ChangeSet } from "./types.ts";

/**
 * A plain-text table of a change set for terminals (`faultline diff --format table`):
 * one row per changed function, then skipped files and notices.
 */
export function formatChangeTable(changes: ChangeSet): string {
  const rows = changes.functions.map((fn) => [
    fn.change,
    `${fn.file}:${fn.startLine}-${fn.endLine}`,
    fn.name,
    [
      fn.renamedFrom ? `renamed from ${fn.renamedFrom}` : "",
      fn.signatureChanged ? "signature changed" : "",
      fn.callers.length > 0
        ? `${fn.callers.length} caller${fn.callers.length === 1 ? "" : "s"}`
        : "",
    ]
      .filter(Boolean)
      .join(", "),
  ]);
  const header = ["CHANGE", "LOCATION", "FUNCTION", "NOTES"];
  const widths = header.map((title, column) =>
    Math.max(title.length, ...rows.map((row) => row[column]!.length)),
  );
  const line = (cells: string[]) =>
    cells
      .map((cell, column) => (column === cells.length - 1 ? cell : cell.padEnd(widths[column]!)))
      .join("  ")
      .trimEnd();
  const out = [
    `base ${changes.base.slice(0, 12)}  head ${changes.head.slice(0, 12)}  ${changes.functions.length} changed function${changes.functions.length === 1 ? "" : "s"}`,
  ];
  if (rows.length > 0) out.push("", line(header), ...rows.map(line));
  if (changes.skipped.length > 0) {
    out.push("", "Skipped:");
    for (const skip of changes.skipped) out.push(`  ${skip.file}  (${skip.reason})`);
  }
  if (changes.notices.length > 0) {
    out.push("", "Notes:");
    for (const notice of changes.notices) out.push(`  ${notice}`);
  }
  return `${out.join("\n")}\n`;
}
