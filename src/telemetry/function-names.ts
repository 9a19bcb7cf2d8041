/**
 * Whether a name seen in production (`code.function.name`, a V8 frame name) denotes a
 * function's qualified name: equal, or one is a dot-suffix of the other
 * (`checkout` ~ `OrderService.checkout`, `OrderService.checkout` ~ `checkout`).
 */
export function namesMatch(observed: string, qualified: string): boolean {
  if (observed === "" || qualified === "") return false;
  if (observed === qualified) return true;
  return qualified.endsWith(`.${observed}`) || observed.endsWith(`.${qualified}`);
}

/** Last dot-separated segment: `OrderService.prototype.checkout` → `checkout`. */
export function lastSegment(name: string): string {
  const dot = name.lastIndexOf(".");
  return dot >= 0 ? name.slice(dot + 1) : name;
}
