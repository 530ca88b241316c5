// Bad DAG definitions from `dags list`, `dags test` and `host`: one line per problem, exit 1, no
// stack trace. A python() task naming an unregistered callable is refused when the app loads.
import { test } from "node:test";
import assert from "node:assert/strict";
import * as path from "node:path";
import { azflow, ROOT } from "./azflow-process";

const app = (name: string) => path.join(ROOT, "dist", "test", "apps", "bad-dags", `${name}.js`);

const COMMANDS: [string, (entry: string) => string[]][] = [
  ["dags list", (entry) => ["dags", "list", "--app", entry]],
  ["dags test", (entry) => ["dags", "test", "bad_definition", "2024-01-01", "--app", entry]],
  ["host", (entry) => ["host", "--port", "0", "--app", entry]],
];

function assertNoStack(err: string): void {
  assert.doesNotMatch(err, /^\s+at /m, `a stack trace:\n${err}`);
}

test("a DAG with three problems gets three lines naming DAG and task, and exit 1, from every command", async () => {
  for (const [name, args] of COMMANDS) {
    const r = await azflow(args(app("definition")));
    assert.equal(r.code, 1, `${name}: ${r.err}`);
    assertNoStack(r.err);
    const lines = r.err.trimEnd().split("\n");
    assert.equal(lines.length, 3, `${name}:\n${r.err}`);
    assert.match(lines[0], /^azflow: DAG 'bad_definition': invalid schedule "every tuesday": /);
    assert.match(lines[1], /^azflow: DAG 'bad_definition', task 'start': unknown trigger rule 'sometimes' \(known: /);
    assert.match(lines[2], /^azflow: DAG 'bad_definition', task 'end': unknown upstream task 'nowhere'$/);
  }
});

test("a python() task naming an unregistered callable is refused at load, like an unknown operator", async () => {
  for (const [name, args] of COMMANDS) {
    const r = await azflow(args(app("callable")));
    assert.equal(r.code, 1, `${name}: ${r.err}`);
    assertNoStack(r.err);
    assert.equal(r.err, "azflow: DAG 'bad_callable', task 'typo': python callable 'bad_callable.knwon' is not registered (registerCallable it before the DAG is registered; known: bad_callable.known).\n", name);
  }
});

test("a DAG file that throws while loading is one line with the error and where it happened", async () => {
  const r = await azflow(["dags", "list", "--app", app("throws")]);
  assert.equal(r.code, 1, r.err);
  assertNoStack(r.err);
  assert.match(r.err, /^azflow: .*throws\.js failed to load: TypeError: Cannot read properties of null \(reading 'slice'\) \(at .*throws\.js:\d+:\d+\)\n$/);
});
