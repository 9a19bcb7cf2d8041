import { createFunctionLocator } from "./code/function-locator.ts";
import type { SourceProvider } from "./code/types.ts";
import type { FrameLocator } from "./telemetry/types.ts";

/**
 * Maps stack frames (deployed file and line) to the functions of a change's source: files
 * are read at the frame's revision, paths matched against the head tree, and the base is
 * the fallback when a frame names no readable revision. The CLI, the Action and the App
 * all locate frames this way.
 */
export function sourceFrameLocator(source: SourceProvider): FrameLocator {
  return createFunctionLocator({
    readFile: (rev, path) => source.readFile(rev, path),
    listFiles: () => source.listFiles(source.head),
    fallbackRevision: source.base,
  });
}
