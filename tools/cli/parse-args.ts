// The CLI's argument parser. Each subcommand declares a CommandSpec (its positionals and options,
// one described line each); the same spec parses the arguments and prints `--help`, so the help
// cannot drift from what is accepted. Anything unknown is a usage error (exit 2) naming the
// nearest known option.
import { CliError } from "./cli-error";
import { nearestName } from "./nearest-name";

export interface OptionSpec {
  /** The long form, "--conf". */
  name: string;
  /** A short form, "-c". */
  alias?: string;
  /** The value's placeholder in the help ("JSON"); an option without one is a flag. */
  value?: string;
  description: string;
}

export interface PositionalSpec {
  name: string;
  description: string;
  optional?: boolean;
  /** Takes every remaining positional (services up [name ...]). */
  variadic?: boolean;
}

export interface CommandSpec {
  /** As typed after `azflow`: "dags test". */
  command: string;
  summary: string;
  positionals: readonly PositionalSpec[];
  options: readonly OptionSpec[];
  /** Lines printed after the options: notes and examples. */
  notes?: readonly string[];
}

export interface ParsedArgs {
  positionals: string[];
  options: Map<string, string>;
  flags: Set<string>;
}

const HELP_OPTION: OptionSpec = { name: "--help", alias: "-h", description: "show this help and exit" };

/** Thrown for --help: the caller prints the help and exits 0. */
export class HelpRequested extends CliError {
  constructor(help: string) {
    super(help, 0);
  }
}

/** A usage error: one line naming the problem and where the command's options are listed. Exit 2. */
export class UsageError extends CliError {
  constructor(command: string, problem: string) {
    super(`${problem} (see 'azflow ${command} --help')`, 2);
  }
}

export function usageError(spec: CommandSpec, problem: string): UsageError {
  return new UsageError(spec.command, problem);
}

function positionalUsage(p: PositionalSpec): string {
  const name = p.variadic ? `${p.name} ...` : p.name;
  return p.optional || p.variadic ? `[${name}]` : `<${name}>`;
}

function optionLabel(o: OptionSpec): string {
  return `${o.alias ? `${o.alias}, ` : "    "}${o.name}${o.value ? ` ${o.value}` : ""}`;
}

/** Two-column lines ("  name  description"), the names padded to one width. */
export function describedLines(rows: readonly (readonly [string, string])[]): string[] {
  const width = Math.max(...rows.map(([name]) => name.length));
  return rows.map(([name, text]) => `  ${name.padEnd(width)}  ${text}`);
}

export function formatHelp(spec: CommandSpec): string {
  const options = [...spec.options, HELP_OPTION];
  const lines = [
    `usage: azflow ${spec.command}${spec.positionals.map((p) => ` ${positionalUsage(p)}`).join("")} [options]`,
    "",
    spec.summary,
  ];
  if (spec.positionals.length) lines.push("", "arguments:", ...describedLines(spec.positionals.map((p) => [p.name, p.description])));
  lines.push("", "options:", ...describedLines(options.map((o) => [optionLabel(o), o.description])));
  if (spec.notes?.length) lines.push("", ...spec.notes);
  return lines.join("\n");
}

function unknownOption(spec: CommandSpec, given: string): UsageError {
  const names = [...spec.options, HELP_OPTION].map((o) => o.name);
  const nearest = nearestName(given.startsWith("--") ? given : `-${given}`, names);
  const hint = nearest ? `did you mean '${nearest}'?` : `its options are ${names.join(", ")}`;
  return usageError(spec, `unknown option '${given}' for 'azflow ${spec.command}'; ${hint}`);
}

export function parseArgs(args: readonly string[], spec: CommandSpec): ParsedArgs {
  const out: ParsedArgs = { positionals: [], options: new Map(), flags: new Set() };
  const byName = new Map<string, OptionSpec>();
  for (const o of spec.options) {
    byName.set(o.name, o);
    if (o.alias) byName.set(o.alias, o);
  }
  for (let i = 0; i < args.length; i++) {
    const raw = args[i];
    if (raw === "--help" || raw === "-h") throw new HelpRequested(formatHelp(spec));
    if (raw === "--") {
      out.positionals.push(...args.slice(i + 1));
      break;
    }
    if (!raw.startsWith("-") || raw === "-" || /^-\d/.test(raw)) {
      out.positionals.push(raw);
      continue;
    }
    // --name=value is accepted as well as --name value.
    const eq = raw.startsWith("--") ? raw.indexOf("=") : -1;
    const given = eq > 0 ? raw.slice(0, eq) : raw;
    const option = byName.get(given);
    if (!option) throw unknownOption(spec, given);
    if (!option.value) {
      if (eq > 0) throw usageError(spec, `${given} takes no value`);
      out.flags.add(option.name);
      continue;
    }
    const value = eq > 0 ? raw.slice(eq + 1) : args[++i];
    if (value === undefined) throw usageError(spec, `${given} needs a value (${option.value})`);
    out.options.set(option.name, value);
  }
  const required = spec.positionals.filter((p) => !p.optional && !p.variadic);
  const variadic = spec.positionals.some((p) => p.variadic);
  if (out.positionals.length < required.length) {
    const missing = required.slice(out.positionals.length).map((p) => `<${p.name}>`).join(" ");
    throw usageError(spec, `missing ${missing}`);
  }
  if (!variadic && out.positionals.length > spec.positionals.length) {
    throw usageError(spec, `unexpected argument '${out.positionals[spec.positionals.length]}'`);
  }
  return out;
}

/** `--conf '{"a": 1}'`: a JSON object, or a usage error. */
export function parseConfOption(text: string | undefined, spec: CommandSpec): Record<string, unknown> {
  if (text === undefined) return {};
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw usageError(spec, `--conf is not valid JSON: ${(err as Error).message}`);
  }
  if (!value || typeof value !== "object" || Array.isArray(value)) throw usageError(spec, "--conf must be a JSON object");
  return value as Record<string, unknown>;
}

/** A non-negative integer option, or a usage error. */
export function intOption(parsed: ParsedArgs, spec: CommandSpec, name: string, fallback: number): number {
  const text = parsed.options.get(name);
  if (text === undefined) return fallback;
  const n = Number(text);
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(n)) throw usageError(spec, `${name} must be a non-negative integer, got '${text}'`);
  return n;
}

/** Runs a subcommand body, printing the help for --help. */
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
