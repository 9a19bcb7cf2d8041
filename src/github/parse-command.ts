/** A `/faultline ...` command found in a PR comment. */
export type FaultlineCommand =
  | { kind: "override"; reason: string }
  | { kind: "rerun" }
  | { kind: "invalid"; message: string };

/**
 * Finds the first `/faultline` command on its own line of a comment; quoted lines (`>`) and
 * fenced code are ignored so quoting someone's override does not repeat it.
 * @example parseCommand("/faultline override hotfix for INC-42") // { kind: "override", reason: "hotfix for INC-42" }
 */
export function parseCommand(body: string): FaultlineCommand | null {
  let inFence = false;
  for (const rawLine of body.split(/\r?\n/)) {
    const line = rawLine.trim();
    if (line.startsWith("```") || line.startsWith("~~~")) {
      inFence = !inFence;
      continue;
    }
    if (inFence || !/^\/faultline(\s|$)/i.test(line)) continue;
    const [, verb = "", ...rest] = line.split(/\s+/);
    const argument = rest.join(" ").trim();
    switch (verb.toLowerCase()) {
      case "override":
        return argument
          ? { kind: "override", reason: argument.slice(0, 500) }
          : { kind: "invalid", message: "`/faultline override` needs a reason" };
      case "rerun":
        return { kind: "rerun" };
      default:
        return { kind: "invalid", message: `unknown command \`/faultline ${verb}\`` };
    }
  }
  return null;
}
