import * as path from "node:path";

/** The app root (a checkout, or the deployed package): where SQL files, scripts and .local are found. */
export function appRoot(): string {
  // dist/functions -> the root; run from source (ts-node), functions/.. is the root.
  const up = path.resolve(__dirname, "..");
  return path.basename(up) === "dist" ? path.dirname(up) : up;
}
