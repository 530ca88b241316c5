// Jars come from Maven Central through Maven itself, so ~/.m2 settings (mirrors, proxies) apply.
// The marker is written only after a complete copy, and records the pom's hash: a half download
// or an edited pom is fetched again, a complete one is reused.
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { CliError } from "../cli/cli-error";
import { requireMaven } from "./prerequisites";
import { lastLine, runLogged } from "./run-logged";

const MARKER = ".azflow-complete";

function pomHash(pom: string): string {
  return createHash("sha256").update(fs.readFileSync(pom)).digest("hex");
}

export function jarsAreReady(pom: string, outDir: string): boolean {
  try {
    return fs.readFileSync(path.join(outDir, MARKER), "utf8").trim() === pomHash(pom);
  } catch {
    return false;
  }
}

export function listJars(outDir: string): string[] {
  return fs.readdirSync(outDir).filter((f) => f.endsWith(".jar")).sort().map((f) => path.join(outDir, f));
}

/** Makes sure `outDir` holds the runtime jars of `pom`; returns them. `what` names them in messages. */
export async function ensureMavenJars(what: string, pom: string, outDir: string, logFile: string): Promise<string[]> {
  if (jarsAreReady(pom, outDir)) return listJars(outDir);
  requireMaven(what);
  fs.rmSync(outDir, { recursive: true, force: true });
  const run = await runLogged(
    "mvn",
    ["-q", "-B", "-f", pom, "dependency:copy-dependencies", "-DincludeScope=runtime", `-DoutputDirectory=${outDir}`],
    logFile,
    { timeoutMs: 15 * 60_000 },
  );
  if (run.code !== 0 || !fs.existsSync(outDir) || listJars(outDir).length === 0) {
    const cause = lastLine(run.tail) || `mvn exited with code ${run.code}`;
    throw new CliError(
      `downloading the ${what} jars with Maven failed (${cause.slice(0, 200)}); check access to Maven Central (or the mirror in ~/.m2/settings.xml) and see ${logFile}`,
    );
  }
  fs.writeFileSync(path.join(outDir, MARKER), pomHash(pom) + "\n");
  return listJars(outDir);
}
