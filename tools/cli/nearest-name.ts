// "Did you mean ...?" for mistyped commands and options: the one known name that starts with what
// was typed, else the one at the smallest edit distance when it is close enough to be a likely typo.
import { distance } from "fastest-levenshtein";

export function nearestName(given: string, known: readonly string[]): string | undefined {
  // A name cut short ('--start' for '--start-date') is its own kind of typo.
  const extending = known.filter((name) => name.startsWith(given));
  if (extending.length === 1) return extending[0];
  let best: { name: string; d: number } | undefined;
  for (const name of known) {
    const d = distance(given, name);
    if (!best || d < best.d) best = { name, d };
  }
  // A third of the name, at least two edits: '--confg' finds '--conf', '--bogus' finds nothing.
  const bare = given.replace(/^-+/, "");
  return best && best.d <= Math.max(2, Math.floor(bare.length / 3)) ? best.name : undefined;
}
