// Registration capture: the app's entry loaded with the @azure/functions-core stand-in.
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import * as path from "node:path";
import { describe, it } from "node:test";
import { promisify } from "node:util";
import { describeFunction, FunctionRegistry, loadApp } from "../../../tools/devhost";
import { appsDir, cliMain, repoRoot, sampleApp } from "./helpers";

const run = promisify(execFile);

describe("registration capture", () => {
  const app = sampleApp("triggers");

  it("captures every function with its trigger, bindings and handler", () => {
    const fns = app.registry.list();
    assert.ok(fns.length > 20);
    const starter = app.registry.get("StartOrchestration");
    assert.equal(starter?.triggerType, "httpTrigger");
    assert.equal(starter?.trigger.route, "orchestrators/{name}/{instanceId?}");
    assert.deepEqual(starter?.inputs.map((b) => b.type), ["durableClient"]);
    assert.equal(starter?.returnBinding?.type, "http");
    assert.equal(typeof starter?.handler, "function");
    assert.equal(app.registry.get("everysecond")?.trigger.schedule, "*/1 * * * * *", "lookup is case-insensitive like the host");
    assert.equal(app.registry.get("InboxBlob")?.trigger.path, "inbox/{name}");
    assert.equal(app.registry.get("Chain")?.triggerType, "orchestrationTrigger");
    assert.equal(app.registry.get("Echo")?.triggerType, "activityTrigger");
  });

  it("describes routes, schedules and blob paths", () => {
    const lines = app.registry.list().map((f) => describeFunction(f, "api"));
    assert.ok(lines.some((l) => /^StartOrchestration\s+httpTrigger\s+\[POST\] \/api\/orchestrators\/\{name\}\/\{instanceId\?\}/.test(l)), lines.join("\n"));
    assert.ok(lines.some((l) => /^EverySecond\s+timerTrigger\s+schedule \*\/1 \* \* \* \* \*/.test(l)));
    assert.ok(lines.some((l) => /^InboxBlob\s+blobTrigger\s+path inbox\/\{name\} \(connection AzflowTestStorage\)/.test(l)));
  });

  it("returns the same registry when the entry is loaded again", () => {
    assert.equal(loadApp(path.join(appsDir, "triggers", "index.js")), app);
  });

  it("rejects duplicate names and functions without one trigger", () => {
    const registry = new FunctionRegistry();
    const meta = { name: "A", bindings: { t: { type: "activityTrigger", direction: "in" } } };
    registry.add(meta, () => 1);
    assert.throws(() => registry.add({ ...meta, name: "a" }, () => 2), /Duplicate function name "a"/);
    assert.throws(() => registry.add({ name: "B", bindings: { x: { type: "blob", direction: "in" } } }, () => 3), /exactly one trigger/);
  });

  it("lists functions with `azflow host --list`", async () => {
    const { stdout } = await run(process.execPath, [cliMain, "host", "--list", "--app", path.join(appsDir, "triggers", "index.js")], { cwd: repoRoot });
    assert.match(stdout, /^Hello\s+httpTrigger\s+\[GET\] \/api\/hello\/\{who:alpha\} \(auth: anonymous\)$/m);
    assert.match(stdout, /^EverySecond\s+timerTrigger\s+schedule \*\/1 \* \* \* \* \*$/m);
    assert.match(stdout, /^InboxBlob\s+blobTrigger\s+path inbox\/\{name\}/m);
    assert.match(stdout, /^Chain\s+orchestrationTrigger$/m);
    const { stdout: real } = await run(process.execPath, [cliMain, "host", "--list"], { cwd: repoRoot });
    assert.match(real, /^health\s+httpTrigger\s+\[GET\] \/api\/health \(auth: anonymous\)$/m);
  });

  it("exits with usage on a bad option", async () => {
    await assert.rejects(run(process.execPath, [cliMain, "host", "--bogus"], { cwd: repoRoot }), (err: { code: number; stderr: string }) => err.code !== 0 && /unknown option '--bogus'/.test(err.stderr));
  });
});
