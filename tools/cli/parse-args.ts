// A small argument parser for the CLI's subcommands: positionals, `--name value` options (with
// short aliases such as -s) and boolean flags. Anything unknown is a usage error (exit 2).
import { CliError } from "./cli-error";

export interface ArgSpec {
  /** Options that take a value, by long name; aliases map short forms to long names. */
  options?: readonly string[];
  flags?: readonly string[];
  aliases?: Readonly<Record<string, string>>;
  /** Positionals: required count and maximum count. */
  positionals: { min: number; max: number };
}

export interface ParsedArgs {
  positionals: string[];
  options: Map<string, string>;
  flags: Set<string>;
}

/** Thrown for --help: the caller prints the usage and exits 0. */
export class HelpRequested extends CliError {
  constructor(usage: string) {
    super(usage, 0);
  }
}

export function parseArgs(args: readonly string[], spec: ArgSpec, usage: string): ParsedArgs {
  const out: ParsedArgs = { positionals: [], options: new Map(), flags: new Set() };
  const options = new Set(spec.options ?? []);
  const flags = new Set(spec.flags ?? []);
  for (let i = 0; i < args.length; i++) {
    const raw = args[i];
    if (raw === "--help" || raw === "-h") throw new HelpRequested(usage);
    if (!raw.startsWith("-") || raw === "-") {
      out.positionals.push(raw);
      continue;
    }
    // --name=value is accepted as well as --name value.
    const eq = raw.startsWith("--") ? raw.indexOf("=") : -1;
    const given = eq > 0 ? raw.slice(0, eq) : raw;
    const name = spec.aliases?.[given] ?? given;
    if (flags.has(name)) {
      if (eq > 0) throw new CliError(`${given} takes no value.\n${usage}`, 2);
      out.flags.add(name);
    } else if (options.has(name)) {
      const value = eq > 0 ? raw.slice(eq + 1) : args[++i];
      if (value === undefined) throw new CliError(`${given} needs a value.\n${usage}`, 2);
      out.options.set(name, value);
    } else {
      throw new CliError(`unknown option '${given}'.\n${usage}`, 2);
    }
  }
  if (out.positionals.length < spec.positionals.min) throw new CliError(`missing arguments.\n${usage}`, 2);
  if (out.positionals.length > spec.positionals.max) throw new CliError(`unexpected argument '${out.positionals[spec.positionals.max]}'.\n${usage}`, 2);
  return out;
}

/** `--conf '{"a": 1}'`: a JSON object, or a usage error. */
export function parseConfOption(text: string | undefined, usage: string): Record<string, unknown> {
  if (text === undefined) return {};
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new CliError(`--conf is not valid JSON: ${(err as Error).message}\n${usage}`, 2);
  }
  if (!value || typeof value !== "object" || Array.isArray(value)) throw new CliError(`--conf must be a JSON object.\n${usage}`, 2);
  return value as Record<string, unknown>;
}

/** Runs a subcommand body, printing the usage for --help. */
export async function withHelp(body: () => Promise<number>): Promise<number> {
  try {
    return await body();
  } catch (err) {
    if (err instanceof HelpRequested) {
      console.log(err.message);
      return 0;
    }
    throw err;
  }
}
