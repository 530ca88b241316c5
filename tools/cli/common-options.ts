// Options several commands share, described once so their help lines read the same everywhere.
import type { OptionSpec, ParsedArgs } from "./parse-args";

export const APP: OptionSpec = { name: "--app", value: "PATH", description: "the app directory or entry file (default: the current directory's package.json main)" };
export const NO_START: OptionSpec = { name: "--no-start", description: "start no local service; fail in one line if one the command needs is down" };
export const QUIET: OptionSpec = { name: "--quiet", alias: "-q", description: "print no task log lines, only the outcome" };
export const VERBOSE: OptionSpec = { name: "--verbose", alias: "-v", description: "also print the local runtime's own lines (orchestrations, activities) on stderr" };
export const CONF: OptionSpec = { name: "--conf", alias: "-c", value: "JSON", description: "dag_run.conf, a JSON object" };

/** The runtime's own lines on stderr under --verbose; stdout keeps the task lines and the table. */
export function verboseLog(parsed: ParsedArgs): ((line: string) => void) | undefined {
  return parsed.flags.has(VERBOSE.name) ? (line: string) => console.error(line) : undefined;
}

/** Task log lines on stdout as they are written, unless --quiet. */
export function taskLinePrinter(parsed: ParsedArgs): ((line: string) => void) | undefined {
  return parsed.flags.has(QUIET.name) ? undefined : (line: string) => console.log(line);
}
