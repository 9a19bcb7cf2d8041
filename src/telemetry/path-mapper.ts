import type { Config } from "../config.ts";

/** A deployed path mapped to a repo path, and how. */
export interface MappedPath {
  repoPath: string;
  /** `compiled`: a built file (`dist/x.js`) mapped to its source (`src/x.ts`); line numbers may differ. */
  via: "configured" | "exact" | "suffix" | "compiled";
}

const SOURCE_EXTENSIONS: Record<string, readonly string[]> = {
  ".js": [".ts", ".tsx", ".jsx"],
  ".mjs": [".mts", ".ts"],
  ".cjs": [".cts", ".ts"],
  ".jsx": [".tsx"],
};
const BUILD_DIRS = new Set(["dist", "build", "lib", "out", "compiled"]);

/**
 * Maps paths from deployed stack traces and `code.file.path` to repo paths: configured
 * `pathMappings` first, then the longest unique suffix match (Sentry-style automatic code
 * mappings), where a built `dist/x.js` also matches its source `src/x.ts`. Ambiguous
 * suffixes map to nothing rather than to a guess.
 *
 * @example
 *   const map = createPathMapper(["src/orders.ts", "src/users.ts"], []);
 *   map("/usr/src/app/dist/orders.js"); // { repoPath: "src/orders.ts", via: "compiled" }
 */
export function createPathMapper(
  repoFiles: readonly string[],
  pathMappings: Config["pathMappings"],
): (deployedPath: string) => MappedPath | null {
  const files = new Set(repoFiles);
  const byStem = new Map<string, string[]>();
  for (const file of repoFiles) {
    const stem = stemOf(basename(file));
    const list = byStem.get(stem);
    if (list) list.push(file);
    else byStem.set(stem, [file]);
  }
  const cache = new Map<string, MappedPath | null>();

  const compiledVariant = (path: string): string | null => {
    const ext = extensionOf(path);
    for (const candidate of SOURCE_EXTENSIONS[ext] ?? []) {
      const base = path.slice(0, path.length - ext.length);
      for (const swapped of [
        base,
        base.replace(/(^|\/)(dist|build|lib|out|compiled)\//, "$1src/"),
      ]) {
        if (files.has(swapped + candidate)) return swapped + candidate;
      }
    }
    return null;
  };

  const resolve = (deployed: string): MappedPath | null => {
    const path = deployed.replaceAll("\\", "/");
    for (const mapping of pathMappings) {
      if (!path.startsWith(mapping.deployed)) continue;
      const candidate = mapping.repo + path.slice(mapping.deployed.length);
      if (files.has(candidate)) return { repoPath: candidate, via: "configured" };
      const compiled = compiledVariant(candidate);
      if (compiled) return { repoPath: compiled, via: "configured" };
    }
    const relative = path.replace(/^\.\//, "");
    if (files.has(relative)) return { repoPath: relative, via: "exact" };
    return longestUniqueSuffix(path, byStem);
  };

  return (deployed) => {
    let hit = cache.get(deployed);
    if (hit === undefined) {
      hit = resolve(deployed);
      cache.set(deployed, hit);
    }
    return hit;
  };
}

function longestUniqueSuffix(path: string, byStem: Map<string, string[]>): MappedPath | null {
  const segments = path.split("/").filter((s) => s !== "");
  const last = segments[segments.length - 1];
  if (!last) return null;
  const candidates = byStem.get(stemOf(last)) ?? [];
  let best: { file: string; score: number; compiled: boolean } | null = null;
  let tie = false;
  for (const file of candidates) {
    const repoSegments = file.split("/");
    const repoLast = repoSegments[repoSegments.length - 1] ?? "";
    const sameName = repoLast === last;
    if (!sameName && !isCompiledPair(last, repoLast)) continue;
    // Count matching directory segments from the end; build dirs match `src`.
    let score = sameName ? 1 : 0.5;
    for (let i = 2; i <= Math.min(segments.length, repoSegments.length); i++) {
      const a = segments[segments.length - i] ?? "";
      const b = repoSegments[repoSegments.length - i] ?? "";
      if (a === b) score += 1;
      else if (BUILD_DIRS.has(a) && b === "src") score += 0.5;
      else break;
    }
    if (!best || score > best.score) {
      best = { file, score, compiled: !sameName };
      tie = false;
    } else if (score === best.score) {
      tie = true;
    }
  }
  if (!best || tie) return null;
  return { repoPath: best.file, via: best.compiled ? "compiled" : "suffix" };
}

function isCompiledPair(deployedName: string, repoName: string): boolean {
  const ext = extensionOf(deployedName);
  return (
    stemOf(deployedName) === stemOf(repoName) &&
    (SOURCE_EXTENSIONS[ext] ?? []).includes(extensionOf(repoName))
  );
}

function basename(path: string): string {
  const slash = path.lastIndexOf("/");
  return slash >= 0 ? path.slice(slash + 1) : path;
}

function extensionOf(name: string): string {
  const dot = name.lastIndexOf(".");
  return dot > 0 ? name.slice(dot) : "";
}

/** `orders.test.ts` → `orders.test`; used to find same-named files across js/ts. */
export function stemOf(name: string): string {
  const base = basename(name);
  const ext = extensionOf(base);
  return ext === "" ? base : base.slice(0, base.length - ext.length);
}
