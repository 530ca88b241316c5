// Airflow adds a per-task-instance jitter from a hash of its identity. The hash must be the same
// on every replay and every machine, so it is computed here from the text (FNV-1a, 32 bit)
// instead of a crypto module, which orchestrations may not import.
export function stableHash(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

/** Eight lowercase hex digits of stableHash, for short deterministic suffixes. */
export function stableHashHex(text: string): string {
  return stableHash(text).toString(16).padStart(8, "0");
}
