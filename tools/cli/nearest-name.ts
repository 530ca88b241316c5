// "Did you mean ...?" for mistyped commands and options: the known name at the smallest edit
// distance, offered only when it is close enough to be a likely typo.
import { distance } from "fastest-levenshtein";

export function nearestName(given: string, known: readonly string[]): string | undefined {
  let best: { name: string; d: number } | undefined;
  for (const name of known) {
    const d = distance(given, name);
    if (!best || d < best.d) best = { name, d };
  }
  // A third of the name, at least two edits: '--confg' finds '--conf', '--bogus' finds nothing.
  const bare = given.replace(/^-+/, "");
  return best && best.d <= Math.max(2, Math.floor(bare.length / 3)) ? best.name : undefined;
}
