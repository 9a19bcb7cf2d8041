/** One frame of a V8 stack trace (`error.stack`). */
export interface StackFrame {
  /** As V8 printed it, without `async `/`new ` and ` [as alias]`; null for bare locations. */
  functionName: string | null;
  /** Path as the process saw it; `file://` URLs are turned into paths. */
  file: string;
  line: number;
  column: number;
  async: boolean;
  /** False for Node internals, `node_modules`, eval and native frames. */
  inApp: boolean;
}

const WITH_FUNCTION = /^\s*at\s+(async\s+)?(.+?)\s+\((.+):(\d+):(\d+)\)\s*$/;
const BARE_LOCATION = /^\s*at\s+(async\s+)?(.+):(\d+):(\d+)\s*$/;

/**
 * Parses the frames of a V8 stack trace; the message lines before the first frame and
 * frames without a location (`<anonymous>`, `native`, `Promise.all (index 0)`) are skipped.
 *
 * @example
 *   parseV8Stack("TypeError: x\n    at OrderService.checkout (/app/src/orders.js:42:17)")[0]
 *   // { functionName: "OrderService.checkout", file: "/app/src/orders.js", line: 42, column: 17, async: false, inApp: true }
 */
export function parseV8Stack(stack: string): StackFrame[] {
  const frames: StackFrame[] = [];
  for (const line of stack.split("\n")) {
    const withFunction = WITH_FUNCTION.exec(line);
    if (withFunction) {
      const [, asyncMark, fn = "", location = "", lineNo = "0", column = "0"] = withFunction;
      // `at eval (eval at f (file:1:2), <anonymous>:1:1)`: code built at run time, not a file.
      if (location.includes("<anonymous>") || location.startsWith("eval at ")) continue;
      frames.push(frame(cleanFunctionName(fn), location, lineNo, column, asyncMark !== undefined));
      continue;
    }
    const bare = BARE_LOCATION.exec(line);
    if (bare) {
      const [, asyncMark, location = "", lineNo = "0", column = "0"] = bare;
      if (location.includes("<anonymous>") || location.includes(" ")) continue;
      frames.push(frame(null, location, lineNo, column, asyncMark !== undefined));
    }
  }
  return frames;
}

function frame(
  functionName: string | null,
  location: string,
  line: string,
  column: string,
  isAsync: boolean,
): StackFrame {
  const file = toPath(location);
  return {
    functionName,
    file,
    line: Number(line),
    column: Number(column),
    async: isAsync,
    inApp: isInApp(file),
  };
}

function cleanFunctionName(raw: string): string | null {
  const name = raw
    .replace(/^new\s+/, "")
    .replace(/\s+\[as [^\]]+\]$/, "")
    .trim();
  if (name === "" || name === "<anonymous>" || name === "Object.<anonymous>") return null;
  return name;
}

function toPath(location: string): string {
  if (!location.startsWith("file://")) return location;
  try {
    return decodeURIComponent(new URL(location).pathname);
  } catch {
    return location.slice("file://".length);
  }
}

/** Node internals and dependencies are not the application's code. */
export function isInApp(file: string): boolean {
  if (file.startsWith("node:") || file.startsWith("internal/")) return false;
  if (/[\\/]node_modules[\\/]/.test(file) || file.startsWith("node_modules/")) return false;
  if (file === "native" || file.startsWith("wasm://")) return false;
  return true;
}
