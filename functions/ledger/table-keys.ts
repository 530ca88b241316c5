// Table Storage keys may not hold / \ # ? or control characters; run ids and task ids may.
// Percent-encoding keeps keys unique, readable and sortable by their plain text prefix.

export function toKey(text: string): string {
  return encodeURIComponent(text).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

export function fromKey(key: string): string {
  return decodeURIComponent(key);
}

/** Map indexes sort as text in Table Storage, so they are padded; -1 (unmapped) sorts first. */
export function mapIndexKey(mapIndex: number): string {
  return mapIndex < 0 ? "-" : String(mapIndex).padStart(5, "0");
}
