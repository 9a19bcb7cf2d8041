import { namesMatch } from "./function-names.ts";
import type { MappedPath } from "./path-mapper.ts";
import { parseV8Stack } from "./stack-frames.ts";
import type { AttributionMethod, FrameLocator, FunctionKey } from "./types.ts";

/** A requested function a stack runs through. */
export interface StackAttribution {
  /** Index into the requested functions. */
  index: number;
  method: Extract<AttributionMethod, "stack-frame" | "name-fallback">;
  /** It is the top in-app frame (the culprit), not only on the path. */
  culprit: boolean;
}

export interface StackAttributionContext {
  functions: readonly FunctionKey[];
  mapPath: (deployed: string) => MappedPath | null;
  locator?: FrameLocator;
  /** Deployed commit (a SHA), or null when unknown: the locator uses its fallback revision. */
  revision: string | null;
}

const SHA = /^[0-9a-f]{7,40}$/i;

/** The deployed commit: `vcs.ref.head.revision`, else `service.version`, when either is a git SHA. */
export function deployedRevision(serviceVersion: string, vcsRevision: string): string | null {
  if (SHA.test(vcsRevision)) return vcsRevision;
  if (SHA.test(serviceVersion)) return serviceVersion;
  return null;
}

/**
 * Ties an exception stack to the requested functions: each in-app frame is mapped to a repo
 * path and, through the locator at the deployed revision, to the innermost function holding
 * its line; when that fails (no locator, or a compiled file whose lines do not match the
 * source) the frame's function name is matched against the requested names in that file.
 * The top in-app frame is the culprit; every other in-app frame is on the path.
 */
export async function attributeStack(
  stack: string,
  context: StackAttributionContext,
): Promise<StackAttribution[]> {
  const frames = parseV8Stack(stack).filter((f) => f.inApp);
  const found = new Map<number, StackAttribution>();
  for (const [position, frame] of frames.entries()) {
    const mapped = context.mapPath(frame.file);
    let index = -1;
    let method: StackAttribution["method"] = "stack-frame";
    if (mapped && context.locator) {
      const located = await context.locator.functionAt(
        context.revision,
        mapped.repoPath,
        frame.line,
      );
      // Built files are not source-mapped: trust the line only when the name agrees.
      const trusted =
        located !== null &&
        (mapped.via !== "compiled" ||
          frame.functionName === null ||
          namesMatch(frame.functionName, located));
      if (trusted) {
        index = context.functions.findIndex(
          (f) => f.file === mapped.repoPath && f.name === located,
        );
      }
    }
    if (index < 0 && frame.functionName) {
      index = byName(context.functions, frame.functionName, mapped?.repoPath ?? null);
      method = "name-fallback";
    }
    if (index < 0) continue;
    const previous = found.get(index);
    const culprit = position === 0;
    if (!previous) found.set(index, { index, method, culprit });
    else if (culprit && !previous.culprit) found.set(index, { ...previous, culprit });
  }
  return [...found.values()];
}

/** Unique requested function the frame name denotes, in the mapped file when known. */
function byName(functions: readonly FunctionKey[], frameName: string, file: string | null): number {
  let match = -1;
  for (const [i, f] of functions.entries()) {
    if (file !== null && f.file !== file) continue;
    if (!namesMatch(frameName, f.name)) continue;
    if (f.name === frameName) return i;
    if (match >= 0) return -1;
    match = i;
  }
  return match;
}
