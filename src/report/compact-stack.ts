import { isInApp, parseV8Stack } from "../telemetry/stack-frames.ts";

/**
 * Keeps a stack trace's message and the application's own frames, folding each run of
 * library and runtime frames (node_modules, node: internals) into one line, so the few
 * lines a comment can show are the ones a reviewer can act on.
 */
export function compactStack(stack: string): string {
  const out: string[] = [];
  let hidden = 0;
  const flush = (): void => {
    if (hidden > 0) out.push(`    … ${hidden} library frame${hidden === 1 ? "" : "s"}`);
    hidden = 0;
  };
  for (const line of stack.split("\n")) {
    const [frame] = parseV8Stack(line);
    if (frame && !isInApp(frame.file)) {
      hidden += 1;
      continue;
    }
    flush();
    out.push(line);
  }
  flush();
  return out.join("\n");
}
