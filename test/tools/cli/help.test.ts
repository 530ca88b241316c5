// What a newcomer types first: --version, help, every command's --help (its options one line each),
// and mistakes, which are one line naming the nearest known option or command. No service needed.
import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { azflow, ROOT } from "./azflow-process";

const COMMANDS = [
  ["services", "up"], ["services", "down"], ["services", "status"],
  ["connections", "import"], ["connections", "export"],
  ["dags", "list"], ["dags", "test"], ["dags", "backfill"], ["dags", "trigger"], ["dags", "rerun"],
  ["tasks", "test"], ["fixtures"], ["host"],
];

test("azflow --version prints the package's version", async () => {
  const { version } = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")) as { version: string };
  for (const args of [["--version"], ["-V"], ["version"]]) {
    const r = await azflow(args);
    assert.equal(r.code, 0, r.err);
    assert.equal(r.out, `azflow ${version}\n`);
  }
});

test("every command's --help lists its options one line each, and 'azflow help <command>' prints the same", async () => {
  for (const command of COMMANDS) {
    const r = await azflow([...command, "--help"]);
    assert.equal(r.code, 0, `${command.join(" ")}: ${r.err}`);
    assert.equal(r.err, "");
    assert.match(r.out, new RegExp(`^usage: azflow ${command.join(" ")} `), r.out);
    const options = r.out.slice(r.out.indexOf("\noptions:\n") + 10).split("\n\n")[0].trimEnd().split("\n");
    assert.ok(options.length >= 1, r.out);
    for (const line of options) assert.match(line, /^ {2}(-\w, | {4})--[a-z-]+( [A-Z]+)? {2,}\S/, `${command.join(" ")}: ${line}`);
    assert.ok(options.some((l) => l.includes("--help")), r.out);
    const viaHelp = await azflow(["help", ...command]);
    assert.equal(viaHelp.code, 0);
    assert.equal(viaHelp.out, r.out, `azflow help ${command.join(" ")}`);
  }
  const top = await azflow(["help"]);
  assert.equal(top.code, 0);
  for (const name of ["services", "connections", "dags", "tasks", "fixtures", "host", "version"]) assert.match(top.out, new RegExp(`^ {2}${name} +\\S`, "m"));
  const group = await azflow(["help", "dags"]);
  for (const name of ["list", "test", "backfill", "trigger", "rerun"]) assert.match(group.out, new RegExp(`^ {2}${name} +\\S`, "m"));
});

test("a mistyped option or command is one line naming the nearest known one, exit 2", async () => {
  const cases: [string[], RegExp][] = [
    [["dags", "test", "tutorial", "--confg", "{}"], /^azflow: unknown option '--confg' for 'azflow dags test'; did you mean '--conf'\? \(see 'azflow dags test --help'\)\n$/],
    [["dags", "backfill", "tutorial", "--start", "2024-01-01"], /did you mean '--start-date'\?/],
    [["dags", "list", "--ouput", "json"], /did you mean '--output'\?/],
    [["host", "--nostart"], /did you mean '--no-start'\?/],
    [["fixtures", "--seeds", "x"], /did you mean '--seed'\?/],
    [["connections", "import", "x.json", "--overwite"], /did you mean '--overwrite'\?/],
    [["dags", "test", "tutorial", "--bogus"], /unknown option '--bogus' for 'azflow dags test'; its options are --conf, --app, --quiet, --verbose, --no-start, --help/],
    [["dag", "list"], /^azflow: unknown command 'dag'; did you mean 'dags'\?/],
    [["dags", "tset", "tutorial"], /^azflow: unknown command 'dags tset'; did you mean 'test'\?/],
    [["servics", "up"], /did you mean 'services'\?/],
    [["dags", "test"], /^azflow: missing <dag_id> \(see 'azflow dags test --help'\)\n$/],
  ];
  for (const [args, expected] of cases) {
    const r = await azflow(args);
    assert.equal(r.code, 2, `${args.join(" ")}: ${r.out}${r.err}`);
    assert.equal(r.out, "");
    assert.equal(r.err.split("\n").filter(Boolean).length, 1, r.err);
    assert.match(r.err, expected, args.join(" "));
  }
});
