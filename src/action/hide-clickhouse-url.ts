/**
 * The ClickHouse URL comes from a secret: GitHub masks it in logs, but not in the PR
 * comment or the job summary. Replaces every form of it (full URL, origin, host:port,
 * host name) in a user-visible text, and words the CLI's flag hint for the Action.
 */
export function hideClickHouseUrl(text: string, url: string): string {
  let out = text.replace(
    /Check --clickhouse \/ FAULTLINE_CLICKHOUSE_URL/g,
    "Check the clickhouse-url input (secret)",
  );
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return url ? out.replaceAll(url, "the clickhouse-url server") : out;
  }
  const redacted = new URL(parsed.href);
  if (redacted.password) redacted.password = "***";
  const forms = [url, parsed.href, redacted.href, parsed.origin, parsed.host, parsed.hostname]
    .filter((form) => form.length > 0)
    .sort((a, b) => b.length - a.length);
  for (const form of new Set(forms)) out = out.replaceAll(form, "the clickhouse-url server");
  return out;
}
