/**
 * Turns a `param_*` value as the ClickHouse HTTP interface receives it (TSV-escaped text,
 * composite values as SQL literals) back into the JS value chDB's binder expects, using the
 * placeholder's declared type. The engine still binds the value; nothing reaches the SQL text.
 */

/** Same shape as @clickhouse/client's TupleParam, which chDB's binder recognises by name. */
export class TupleParam {
  constructor(readonly values: readonly unknown[]) {}
}

/** `{name:Type}` placeholders of a statement, name → declared type. */
export function declaredParamTypes(sql: string): Map<string, string> {
  const types = new Map<string, string>();
  for (const match of sql.matchAll(/\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*:\s*([^{}]+?)\s*\}/g)) {
    const [, name, type] = match;
    if (name && type) types.set(name, type);
  }
  return types;
}

/** Decodes one wire value for a placeholder of `type`. */
export function decodeParamValue(type: string | undefined, raw: string): unknown {
  if (raw === "\\N") return null;
  const base = unwrap(type ?? "String");
  if (/^(Array|Tuple|Map)\s*\(/.test(base)) return new LiteralParser(raw).parseAll();
  if (/^(String|FixedString|Enum8|Enum16|Enum|UUID|JSON|Object)\b/.test(base)) {
    return unescapeTsv(raw);
  }
  // Numbers, dates, booleans: plain text without escapes.
  return raw;
}

function unwrap(type: string): string {
  let current = type.trim();
  for (;;) {
    const inner = /^(Nullable|LowCardinality)\s*\((.*)\)$/.exec(current);
    if (!inner?.[2]) return current;
    current = inner[2].trim();
  }
}

const TSV_ESCAPES: Record<string, string> = {
  "0": "\0",
  b: "\b",
  f: "\f",
  n: "\n",
  r: "\r",
  t: "\t",
};

/** Inverse of the TSV/Escaped encoding the client uses for string parameters. */
export function unescapeTsv(raw: string): string {
  let out = "";
  for (let i = 0; i < raw.length; i++) {
    const ch = raw[i];
    if (ch === "\\" && i + 1 < raw.length) {
      const next = raw[i + 1] as string;
      out += TSV_ESCAPES[next] ?? next;
      i += 1;
    } else {
      out += ch;
    }
  }
  return out;
}

/** A small parser for ClickHouse value literals: [..], (..), {k:v}, '..', numbers, NULL, booleans. */
class LiteralParser {
  private pos = 0;
  constructor(private readonly text: string) {}

  parseAll(): unknown {
    const value = this.value();
    this.space();
    if (this.pos !== this.text.length) this.fail("trailing characters");
    return value;
  }

  private value(): unknown {
    this.space();
    const ch = this.text[this.pos];
    if (ch === "[") return this.sequence("[", "]");
    if (ch === "(") return new TupleParam(this.sequence("(", ")"));
    if (ch === "{") return this.map();
    if (ch === "'") return this.quoted();
    return this.bare();
  }

  private sequence(open: string, close: string): unknown[] {
    this.expect(open);
    const items: unknown[] = [];
    this.space();
    if (this.text[this.pos] === close) {
      this.pos += 1;
      return items;
    }
    for (;;) {
      items.push(this.value());
      this.space();
      const ch = this.text[this.pos];
      this.pos += 1;
      if (ch === close) return items;
      if (ch !== ",") this.fail(`expected , or ${close}`);
    }
  }

  private map(): Map<unknown, unknown> {
    this.expect("{");
    const map = new Map<unknown, unknown>();
    this.space();
    if (this.text[this.pos] === "}") {
      this.pos += 1;
      return map;
    }
    for (;;) {
      const key = this.value();
      this.space();
      this.expect(":");
      map.set(key, this.value());
      this.space();
      const ch = this.text[this.pos];
      this.pos += 1;
      if (ch === "}") return map;
      if (ch !== ",") this.fail("expected , or }");
    }
  }

  private quoted(): string {
    this.expect("'");
    let out = "";
    while (this.pos < this.text.length) {
      const ch = this.text[this.pos] as string;
      this.pos += 1;
      if (ch === "\\") {
        const next = this.text[this.pos] as string;
        this.pos += 1;
        out += TSV_ESCAPES[next] ?? next;
      } else if (ch === "'") {
        return out;
      } else {
        out += ch;
      }
    }
    return this.fail("unterminated string");
  }

  private bare(): unknown {
    const match = /^[^,\])}:\s]+/.exec(this.text.slice(this.pos));
    if (!match) return this.fail("expected a value");
    const token = match[0];
    this.pos += token.length;
    const lower = token.toLowerCase();
    if (lower === "null") return null;
    if (lower === "true") return true;
    if (lower === "false") return false;
    if (/^-?\d+$/.test(token)) {
      const n = Number(token);
      return Number.isSafeInteger(n) ? n : BigInt(token);
    }
    const n = Number(token);
    if (!Number.isNaN(n)) return n;
    return token;
  }

  private space(): void {
    while (/\s/.test(this.text[this.pos] ?? "")) this.pos += 1;
  }

  private expect(ch: string): void {
    if (this.text[this.pos] !== ch) this.fail(`expected ${ch}`);
    this.pos += 1;
  }

  private fail(reason: string): never {
    throw new Error(`cannot parse parameter value at ${this.pos}: ${reason}`);
  }
}
