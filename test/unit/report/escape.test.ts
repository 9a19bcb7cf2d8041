import { describe, expect, it } from "vitest";
import {
  codeBlock,
  codeSpan,
  defusePings,
  escapeHtml,
  escapeMarkdown,
  oneLine,
  safeUrl,
  telemetryText,
} from "../../../src/report/escape.ts";

const ZWJ = "\u200D";

describe("escaping for Markdown", () => {
  it("defuses mentions and issue references without changing what people read", () => {
    expect(defusePings("ping @octocat and @acme/security about #12")).toBe(
      `ping @${ZWJ}octocat and @${ZWJ}acme/security about #${ZWJ}12`,
    );
    expect(defusePings("a@b")).toBe(`a@${ZWJ}b`);
    expect(defusePings("# heading, C#")).toBe("# heading, C#");
  });

  it("makes Markdown and HTML literal, on one line, safe in a table cell", () => {
    const text = escapeMarkdown("[x](javascript:alert(1)) **b** | <script>\n`code`");
    expect(text).toBe("\\[x\\](javascript:alert(1)) \\*\\*b\\*\\* \\| &lt;script&gt; \\`code\\`");
    expect(text).not.toContain("\n");
    expect(escapeMarkdown("# not a heading")).toBe("\\# not a heading");
    expect(escapeMarkdown("1. not a list")).toBe("1\\. not a list");
    expect(escapeMarkdown("1.8% of calls")).toBe("1.8% of calls");
  });

  it("fences code spans longer than any backtick run inside", () => {
    expect(codeSpan("plain")).toBe("`plain`");
    expect(codeSpan("a ` b")).toBe("`` a ` b ``");
    expect(codeSpan("```")).toBe("```` ``` ````");
    expect(codeSpan("a|b", { table: true })).toBe("`a\\|b`");
    expect(codeSpan("<!-- faultline:report -->")).toBe(`\`<${ZWJ}!-- faultline:report -->\``);
  });

  it("fences code blocks so embedded fences cannot close them, capping lines", () => {
    const block = codeBlock("a\n```\n</details>\nb", "text");
    expect(block.startsWith("````text\n")).toBe(true);
    expect(block.endsWith("\n````")).toBe(true);
    const long = codeBlock(Array.from({ length: 50 }, (_, i) => `line ${i}`).join("\n"), "", 10);
    expect(long.split("\n")).toHaveLength(13);
    expect(codeBlock("x".repeat(5_000), "", 10, 100).length).toBeLessThan(120);
  });

  it("strips control and bidirectional characters and cuts long text", () => {
    expect(oneLine("a\u0000b\u202Ec\r\nd")).toBe("a bc d");
    expect(oneLine("x".repeat(500), 10)).toBe(`${"x".repeat(9)}…`);
    expect(escapeHtml('</summary><img src=x onerror="1">')).toBe(
      "&lt;/summary&gt;&lt;img src=x onerror=&quot;1&quot;&gt;",
    );
  });

  it("keeps only http(s) links, with link-breaking characters encoded", () => {
    expect(safeUrl("javascript:alert(1)")).toBeNull();
    expect(safeUrl("data:text/html,x")).toBeNull();
    expect(safeUrl("not a url")).toBeNull();
    expect(safeUrl("https://status.example.com/inc/1) [x](y")).toBe(
      "https://status.example.com/inc/1%29%20%5Bx%5D%28y",
    );
  });

  it("redacts telemetry before escaping it", () => {
    const text = telemetryText("card 4111 1111 1111 1111 for jane.doe@acme.io");
    expect(text).not.toContain("4111 1111 1111 1111");
    expect(text).not.toContain("jane.doe@acme.io");
    expect(text).toMatch(/card \d{4} \d{4} \d{4} 1111 for user-[0-9a-f]{8}@\u200D?example\.com/);
  });
});
