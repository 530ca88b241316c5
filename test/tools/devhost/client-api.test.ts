// The Durable HTTP API and df.getClient from HTTP-triggered functions, in an in-process host.
import assert from "node:assert/strict";
import * as os from "node:os";
import { after, before, describe, it } from "node:test";
import { startHost, type RunningHost } from "../../../tools/devhost";
import { sampleApp, waitFor } from "./helpers";

const app = sampleApp("triggers");

describe("durable client through the local host", () => {
  let host: RunningHost;
  before(async () => {
    host = await startHost({ app, port: 0, persist: false, timers: false, blobs: false, clock: "virtual", stateDir: os.tmpdir(), log: () => undefined });
  });
  after(async () => host.close());

  const url = (p: string) => `${host.origin}${p}`;

  it("serves HTTP triggers on the route prefix with route parameters and constraints", async () => {
    const ok = await fetch(url("/api/hello/ada?q=1"));
    assert.equal(ok.status, 200);
    assert.deepEqual(await ok.json(), { hello: "ada", q: "1" });
    assert.equal((await fetch(url("/api/hello/42"))).status, 404, "{who:alpha} must not match digits");
    assert.equal((await fetch(url("/api/hello/ada"), { method: "POST" })).status, 405);
    assert.equal((await fetch(url("/hello/ada"))).status, 404, "routes live under the api prefix");
  });

  it("starts an orchestration from an HTTP starter and answers with the check-status payload", async () => {
    const res = await fetch(url("/api/orchestrators/Chain/http-chain-1"), { method: "POST", body: "3" });
    assert.equal(res.status, 202);
    const payload = (await res.json()) as Record<string, string>;
    assert.equal(payload.id, "http-chain-1");
    assert.equal(res.headers.get("location"), payload.statusQueryGetUri);
    assert.ok(payload.statusQueryGetUri.startsWith(`${host.origin}/runtime/webhooks/durabletask/instances/http-chain-1?`), payload.statusQueryGetUri);
    const done = await waitFor("Chain to complete", async () => {
      const r = await fetch(payload.statusQueryGetUri);
      const body = (await r.json()) as { runtimeStatus: string; output: unknown };
      return body.runtimeStatus === "Completed" ? { status: r.status, body } : undefined;
    });
    assert.equal(done.status, 200);
    assert.equal(done.body.output, 6);
  });

  it("gives status with history and output through df.getClient", async () => {
    await fetch(url("/api/orchestrators/Chain/http-chain-2"), { method: "POST", body: "2" });
    await host.engine.waitForCompletion("http-chain-2");
    const res = await fetch(url("/api/client/status/http-chain-2"));
    const status = (await res.json()) as { runtimeStatus: string; output: number; history: { EventType: string; Result?: unknown }[] };
    assert.equal(status.runtimeStatus, "Completed");
    assert.equal(status.output, 3);
    // Raw API: historyEvents with results when showHistoryOutput=true.
    const raw = (await (await fetch(url("/runtime/webhooks/durabletask/instances/http-chain-2?showHistory=true&showHistoryOutput=true"))).json()) as { historyEvents: { EventType: string; Result?: unknown }[] };
    const completed = raw.historyEvents.filter((e) => e.EventType === "TaskCompleted").map((e) => e.Result);
    assert.deepEqual(completed, [1, 3]);
    assert.equal(raw.historyEvents.at(-1)?.EventType, "ExecutionCompleted");
  });

  it("raises events, terminates, lists and purges through df.getClient", async () => {
    await fetch(url("/api/orchestrators/TwoEvents/ev-1"), { method: "POST" });
    await fetch(url("/api/client/raise/ev-1/First"), { method: "POST", body: JSON.stringify("one") });
    await fetch(url("/api/client/raise/ev-1/Second"), { method: "POST", body: JSON.stringify("two") });
    const waited = await fetch(url("/api/client/wait/ev-1"));
    assert.equal(waited.status, 200);
    assert.deepEqual(await waited.json(), ["one", "two"]);

    await fetch(url("/api/orchestrators/TwoEvents/ev-2"), { method: "POST" });
    await waitFor("ev-2 running", () => (host.engine.getStatus("ev-2")?.runtimeStatus === "Running" ? true : undefined));
    assert.equal((await fetch(url("/api/client/terminate/ev-2/enough"), { method: "POST" })).status, 202);
    const terminated = await host.engine.waitForCompletion("ev-2");
    assert.equal(terminated.runtimeStatus, "Terminated");
    assert.equal(terminated.output, "enough");

    const listed = (await (await fetch(url("/api/client/list?runtimeStatus=Terminated"))).json()) as { instanceId: string }[];
    assert.deepEqual(listed.map((s) => s.instanceId), ["ev-2"]);

    const purged = (await (await fetch(url("/api/client/purge/ev-2"), { method: "POST" })).json()) as { instancesDeleted: number };
    assert.equal(purged.instancesDeleted, 1);
    assert.equal(host.engine.getStatus("ev-2"), undefined);
    assert.equal((await fetch(url("/runtime/webhooks/durabletask/instances/ev-2"))).status, 404);
  });

  it("answers the raw API with the host's status codes", async () => {
    const notFound = await fetch(url("/runtime/webhooks/durabletask/instances/missing/raiseEvent/X"), { method: "POST", body: "1" });
    assert.equal(notFound.status, 404);
    const unknown = await fetch(url("/runtime/webhooks/durabletask/orchestrators/NoSuchOrchestration"), { method: "POST" });
    assert.equal(unknown.status, 400);
    assert.match(((await unknown.json()) as { Message: string }).Message, /NoSuchOrchestration/);
    await fetch(url("/durabletask/orchestrators/Fails/failing-1"), { method: "POST" });
    await host.engine.waitForCompletion("failing-1");
    const failed = await fetch(url("/durabletask/instances/failing-1"));
    assert.equal(failed.status, 400);
    assert.equal(((await failed.json()) as { runtimeStatus: string }).runtimeStatus, "Failed");
    const gone = await fetch(url("/durabletask/instances/failing-1/terminate?reason=x"), { method: "POST" });
    assert.equal(gone.status, 410);
  });
});
