/**
 * Flat copies of text kept per binding. V8 keeps a concatenation of 13 characters or more (how
 * address text is formatted) as a rope: a 32-byte node pointing at both parts, each a string of
 * its own — 88 bytes for a 17-character home address that needs 40 when flat. A home agent
 * holds such text for every binding, so what it keeps is flattened once, when first stored.
 */
export function flatText(s: string): string {
  // trim() flattens its receiver and returns the flat text when there is nothing to trim.
  const t = s.trim();
  return t.length === s.length ? t : s;
}
