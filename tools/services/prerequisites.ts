// Java, Maven and Python come from the machine, not from npm: a missing one is named with its fix.
import { spawnSync } from "node:child_process";
import { CliError } from "../cli/cli-error";

/** A tool the machine lacks: the test runner skips what needs it locally and fails in CI. */
export class PrerequisiteError extends CliError {}

function firstLine(text: string): string {
  return text.split(/\r?\n/).find((l) => l.trim() !== "")?.trim() ?? "";
}

function probeCommand(command: string, args: string[]): string | undefined {
  const result = spawnSync(command, args, { encoding: "utf8", timeout: 30_000 });
  if (result.error || result.status !== 0) return undefined;
  return firstLine(`${result.stdout}\n${result.stderr}`);
}

/** Java 17 or newer, which both Kafka 3.9 and Spark 3.5 run on. */
export function requireJava(forWhat: string): string {
  const version = probeCommand("java", ["-version"]);
  if (!version) {
    throw new PrerequisiteError(`Java is not installed or not on PATH (needed for ${forWhat}); install a JDK 17 (e.g. apt-get install openjdk-17-jdk-headless).`);
  }
  const major = /version "(\d+)/.exec(version)?.[1];
  if (major && Number(major) < 17) {
    throw new PrerequisiteError(`${forWhat} needs Java 17 or newer but found ${version}; install a JDK 17 and put it first on PATH.`);
  }
  return version;
}

export function requireMaven(forWhat: string): void {
  if (!probeCommand("mvn", ["-v"])) {
    throw new PrerequisiteError(`Maven (mvn) is not installed or not on PATH (needed to fetch the ${forWhat} jars); install Maven 3.8+ (e.g. apt-get install maven).`);
  }
}

export function requirePython(python: string): string {
  const version = probeCommand(python, ["--version"]);
  if (!version) {
    throw new PrerequisiteError(`Python '${python}' was not found (needed for Spark); install Python 3.9+ or set AZFLOW_PYTHON to its path.`);
  }
  const match = /Python (\d+)\.(\d+)/.exec(version);
  if (match && (Number(match[1]) < 3 || (Number(match[1]) === 3 && Number(match[2]) < 9))) {
    throw new PrerequisiteError(`Spark needs Python 3.9 or newer but '${python}' is ${version}; set AZFLOW_PYTHON to a newer Python.`);
  }
  return version;
}
