// The operators against the real local services, each run as a task of a DAG on the local
// runtime (virtual time, real activities, the ledger in Azurite): HTTP against a local HTTP server
// standing in for a public API, Blob Storage in Azurite, COPY from a blob into Postgres, Kafka,
// the time-delta and external-task sensors, and TriggerDagRun.
import { after, before, describe, it, type TestContext } from "node:test";
import assert from "node:assert/strict";
import { createHash, randomBytes } from "node:crypto";
import * as fs from "node:fs";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { BlobServiceClient } from "@azure/storage-blob";
import { Kafka, logLevel } from "kafkajs";
import { Client } from "pg";
import type { LocalDagRuntime } from "../../../tools/dagrun/local-dag-runtime";
import { runDag, startTestRuntime, testAppEntry, waitsBetweenAttempts } from "../../support/dag-runs";
import { azuriteConnectionString, kafkaBrokers, needService, pgConfig, uniqueName } from "../../support/services";

type OperatorsApp = typeof import("../../apps/operators/index");

const TIMER_CREATED = 10;
const TIMER_FIRED = 11;

/** FireAt of each timer event of a type, in ms (the history holds Dates; String() would drop the ms). */
function timers(history: Record<string, unknown>[], type: number): number[] {
  return history.filter((e) => e.EventType === type).map((e) => new Date(e.FireAt as string | Date).getTime());
}

/** A past instant no other test run is likely to have used. */
function randomPastDate(): string {
  return new Date(Date.now() - 86_400_000 - Math.floor(Math.random() * 1e10)).toISOString();
}

interface SeenRequest { method: string; url: string; headers: http.IncomingHttpHeaders; body: string }

/** A local HTTP server standing in for a public JSON API. */
async function startFakeApi(): Promise<{ server: http.Server; port: number; requests: SeenRequest[] }> {
  const requests: SeenRequest[] = [];
  const readyPokes = new Map<string, number>();
  const server = http.createServer((req, res) => {
    let body = "";
    req.on("data", (chunk: Buffer) => (body += chunk.toString("utf8")));
    req.on("end", () => {
      requests.push({ method: req.method ?? "", url: req.url ?? "", headers: req.headers, body });
      const url = new URL(req.url ?? "/", "http://127.0.0.1");
      const json = (status: number, value: unknown): void => {
        res.writeHead(status, { "Content-Type": "application/json; charset=utf-8" }).end(JSON.stringify(value));
      };
      const item = /^\/items\/(\w+)$/.exec(url.pathname);
      const ready = /^\/ready\/(\w+)$/.exec(url.pathname);
      if (item && req.method === "GET") return json(200, { id: item[1], q: url.searchParams.get("q"), tags: ["x", "y"] });
      if (url.pathname === "/items" && req.method === "POST") return json(201, { received: JSON.parse(body) as unknown, run: req.headers["x-run"] });
      if (url.pathname === "/plain") return void res.writeHead(200, { "Content-Type": "text/plain" }).end("just text");
      if (url.pathname === "/broken") return json(500, { error: "boom" });
      if (ready) {
        // Not there for the first two pokes of a key, then ready.
        const n = (readyPokes.get(ready[1]) ?? 0) + 1;
        readyPokes.set(ready[1], n);
        return n <= 2 ? json(404, { error: "not yet" }) : json(200, { ready: true });
      }
      json(404, { error: "no such route" });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { server, port: (server.address() as AddressInfo).port, requests };
}

async function text(blobs: BlobServiceClient, container: string, blob: string): Promise<string> {
  return (await blobs.getContainerClient(container).getBlobClient(blob).downloadToBuffer()).toString("utf8");
}

describe("operators against the local services", () => {
  let rt: LocalDagRuntime;
  let app: OperatorsApp;
  let api: Awaited<ReturnType<typeof startFakeApi>>;
  let blobs: BlobServiceClient;
  let pg: Client;

  before(async (t) => {
    const ctx = t as unknown as TestContext; // before() gets the suite context; needService only skips or throws
    for (const s of ["azurite", "postgres", "kafka"] as const) if (!(await needService(ctx, s))) return;
    api = await startFakeApi();
    // Read when a task resolves the connection, inside the activity.
    process.env.AIRFLOW_CONN_FAKE_API = `http://127.0.0.1:${api.port}`;
    rt = await startTestRuntime("operators");
    app = (await import(testAppEntry("operators"))) as OperatorsApp;
    blobs = BlobServiceClient.fromConnectionString(azuriteConnectionString());
    pg = new Client(pgConfig());
    await pg.connect();
  });
  after(async () => {
    await rt?.close();
    // The app's pool keeps idle clients for 10 s, which would hold the process open.
    const { closePostgresPools } = await import("../../../functions/hooks/postgres");
    await closePostgresPools();
    await pg?.end();
    api?.server.close();
  });

  describe("http and httpSensor (local HTTP server standing in for a public API)", () => {
    it("GET parses JSON as the XCom, POST sends data, text stays text, non-2xx fails with the status", async () => {
      const r = await runDag(rt, "ops_http", { conf: { id: "i42", q: "needle", name: "widget" } });
      assert.deepEqual(JSON.parse(r.ti("get_json").xcom ?? "null"), { id: "i42", q: "needle", tags: ["x", "y"] });
      const post = JSON.parse(r.ti("post_data").xcom ?? "null") as { received: unknown; run: string };
      assert.deepEqual(post.received, { name: "widget", n: 3 });
      assert.equal(post.run, r.run.dag_run_id, "templated header sent");
      const posted = api.requests.find((q) => q.method === "POST" && q.url === "/items" && q.headers["x-run"] === r.run.dag_run_id);
      assert.ok(posted, "the server saw the POST");
      assert.match(String(posted.headers["content-type"]), /application\/json/);
      assert.equal(JSON.parse(r.ti("get_text").xcom ?? "null"), "just text");
      assert.equal(r.ti("not_found").state, "failed");
      assert.match(r.ti("not_found").error ?? "", /404/);
      assert.equal(r.ti("server_error").state, "failed");
      assert.match(r.ti("server_error").error ?? "", /500/);
      assert.equal(r.output.state, "failed");
    });

    it("httpSensor: 404 twice then 200 is done on the third poke; 500 fails the sensor", async () => {
      const key = uniqueName("k");
      const r = await runDag(rt, "ops_http_sensor", { conf: { key } });
      assert.equal(r.ti("ready").state, "success");
      assert.equal(api.requests.filter((q) => q.url === `/ready/${key}`).length, 3);
      // Two waits of poke_interval (30 s) between the three pokes, on the virtual clock.
      assert.deepEqual(waitsBetweenAttempts(r.history, "ready"), [30, 30]);
      assert.equal(r.ti("broken").state, "failed");
      assert.match(r.ti("broken").error ?? "", /500/);
    });
  });

  describe("blob operators (Azurite)", () => {
    it("creates private containers, uploads from data and from a file, lists by prefixes, copies and moves", async () => {
      const run = uniqueName("r");
      const file = path.join(os.tmpdir(), `${run}.bin`);
      // Over the 4 MiB block size, so the file goes up as a stream of several blocks.
      const bytes = randomBytes(9 * 1024 * 1024 + 123);
      fs.writeFileSync(file, bytes);
      try {
        const r = await runDag(rt, "ops_blob", { conf: { run, file } });
        assert.equal(r.output.state, "success", JSON.stringify(r.tasks.map((x) => [x.task_id, x.state, x.error])));
        for (const name of [app.SRC_CONTAINER, app.DST_CONTAINER]) {
          const container = blobs.getContainerClient(name);
          assert.equal((await container.getProperties()).blobPublicAccess, undefined, `${name} has no public access`);
          assert.equal((await container.getAccessPolicy()).blobPublicAccess, undefined);
        }
        assert.deepEqual(JSON.parse(r.ti("upload_data").xcom ?? "null"), `${app.SRC_CONTAINER}/${run}/a/data.json`);
        assert.deepEqual(JSON.parse(await text(blobs, app.SRC_CONTAINER, `${run}/a/data.json`)), { hello: run });
        assert.deepEqual(JSON.parse(r.ti("list").xcom ?? "null"), [`${run}/a/data.json`, `${run}/b/big.bin`]);
        assert.deepEqual(JSON.parse(r.ti("list_one").xcom ?? "null"), [`${run}/b/big.bin`]);
        // copy: both exist, same content.
        assert.deepEqual(JSON.parse(await text(blobs, app.DST_CONTAINER, `${run}/copied.json`)), { hello: run });
        assert.ok(await blobs.getContainerClient(app.SRC_CONTAINER).getBlobClient(`${run}/a/data.json`).exists());
        // move: the source is gone and the destination holds the file byte for byte.
        assert.equal(await blobs.getContainerClient(app.SRC_CONTAINER).getBlobClient(`${run}/b/big.bin`).exists(), false);
        const moved = await blobs.getContainerClient(app.DST_CONTAINER).getBlobClient(`${run}/moved.bin`).downloadToBuffer();
        assert.equal(moved.length, bytes.length);
        assert.equal(createHash("sha256").update(moved).digest("hex"), createHash("sha256").update(bytes).digest("hex"));
      } finally {
        fs.rmSync(file, { force: true });
      }
    });

    it("a move rerun after a crash (destination there, source gone) succeeds; with neither it fails", async () => {
      const source = `${uniqueName("m")}/in.txt`;
      const dest = `${uniqueName("m")}/out.txt`;
      const src = blobs.getContainerClient(app.SRC_CONTAINER);
      await src.createIfNotExists();
      await src.getBlockBlobClient(source).upload("payload", 7);
      const first = await runDag(rt, "ops_blob_move", { conf: { source, dest } });
      assert.equal(first.ti("move").state, "success");
      assert.equal(await src.getBlobClient(source).exists(), false);
      // The same task again, as after a crash between delete and recording success.
      const rerun = await runDag(rt, "ops_blob_move", { conf: { source, dest } });
      assert.equal(rerun.ti("move").state, "success", rerun.ti("move").error ?? "");
      assert.equal(await text(blobs, app.DST_CONTAINER, dest), "payload");
      const lost = await runDag(rt, "ops_blob_move", { conf: { source: `${uniqueName("none")}/x`, dest: `${uniqueName("none")}/y` } });
      assert.equal(lost.ti("move").state, "failed");
      assert.match(lost.ti("move").error ?? "", /does not exist/);
    });
  });

  describe("blob names from templates (Azurite)", () => {
    it("a templated name that would leave its container is refused by every blob operator and sensor; nothing is written", async () => {
      const stolen = `${uniqueName("stolen")}.txt`;
      const r = await runDag(rt, "ops_blob_names", { conf: { name: `../${app.DST_CONTAINER}/${stolen}` } });
      assert.equal(r.output.state, "failed");
      const tasks = ["upload", "list", "copy", "move", "sense", "http_to_blob", "parquetize", "pg_copy", "pg_copy_json", "pg_load_parquet"];
      const field: Record<string, string> = { list: "prefix", sense: "prefix", copy: "dest_blob", move: "source_blob", parquetize: "dest_blob" };
      for (const id of tasks) {
        const ti = r.ti(id);
        assert.equal(ti.state, "failed", id);
        assert.match(ti.error ?? "", new RegExp(`^ops_blob_names\\.${id} \\(\\w+\\): '${field[id] ?? "blob"}' "\\.\\./${app.DST_CONTAINER}/${stolen}" has a '\\.\\.' path segment\\.`), id);
      }
      const dst = blobs.getContainerClient(app.DST_CONTAINER);
      await dst.createIfNotExists();
      assert.equal(await dst.getBlobClient(stolen).exists(), false, "nothing reached the other container");
    });
  });

  describe("postgresCopy (blob in Azurite streamed into COPY)", () => {
    async function upload(blob: string, body: string): Promise<void> {
      const container = blobs.getContainerClient(app.CSV_CONTAINER);
      await container.createIfNotExists();
      await container.getBlockBlobClient(blob).upload(body, Buffer.byteLength(body));
    }
    async function rows(table: string): Promise<unknown[][]> {
      return (await pg.query({ text: `SELECT id, name, amount::text FROM "${table}" ORDER BY id, name`, rowMode: "array" })).rows as unknown[][];
    }
    async function receipts(table: string): Promise<number> {
      const r = await pg.query("SELECT count(*)::int AS n FROM azflow_copy_receipts WHERE target = $1", [table]);
      return Number(r.rows[0].n);
    }
    async function newTable(): Promise<string> {
      const table = uniqueName("ops_copy_");
      await pg.query(`CREATE TABLE "${table}" (id int NOT NULL, name text, amount numeric)`);
      return table;
    }

    it("loads a CSV with a header once per blob version; a re-uploaded blob loads again", async () => {
      const table = await newTable();
      const blob = `${table}/data.csv`;
      await upload(blob, 'id,name,amount\n1,alpha,1.5\n2,"be,ta",2\n3,gamma,3.25\n');
      const first = await runDag(rt, "ops_pg_copy", { conf: { table, blob } });
      assert.equal(first.ti("load").state, "success", first.ti("load").error ?? "");
      assert.deepEqual(JSON.parse(first.ti("load").xcom ?? "null"), { rows: 3, alreadyLoaded: false });
      assert.deepEqual(await rows(table), [[1, "alpha", "1.5"], [2, "be,ta", "2"], [3, "gamma", "3.25"]]);
      // Same blob version: the receipt says it is loaded, no rows are added.
      const again = await runDag(rt, "ops_pg_copy", { conf: { table, blob } });
      assert.deepEqual(JSON.parse(again.ti("load").xcom ?? "null"), { rows: 3, alreadyLoaded: true });
      assert.equal((await rows(table)).length, 3);
      // A new version of the blob is a new file to load.
      await upload(blob, "id,name,amount\n4,delta,4\n5,epsilon,5\n");
      const next = await runDag(rt, "ops_pg_copy", { conf: { table, blob } });
      assert.deepEqual(JSON.parse(next.ti("load").xcom ?? "null"), { rows: 2, alreadyLoaded: false });
      assert.equal((await rows(table)).length, 5);
      assert.equal(await receipts(table), 2);
    });

    it("loads a pipe-delimited CSV without a header", async () => {
      const table = await newTable();
      const blob = `${table}/data.psv`;
      await upload(blob, "7|pipe, with comma|0.5\n8|other|1\n");
      const r = await runDag(rt, "ops_pg_copy_pipe", { conf: { table, blob } });
      assert.equal(r.ti("load").state, "success", r.ti("load").error ?? "");
      assert.deepEqual(await rows(table), [[7, "pipe, with comma", "0.5"], [8, "other", "1"]]);
    });

    it("a malformed CSV fails clearly and leaves no rows and no receipt", async () => {
      const table = await newTable();
      const blob = `${table}/bad.csv`;
      // Good rows first: a non-transactional load would keep them.
      await upload(blob, "id,name,amount\n1,ok,1\n2,ok,2\n3,bad,not-a-number\n4,ok,4\n");
      const r = await runDag(rt, "ops_pg_copy", { conf: { table, blob } });
      assert.equal(r.ti("load").state, "failed");
      assert.match(r.ti("load").error ?? "", /invalid input syntax for type numeric: "not-a-number"/);
      assert.deepEqual(await rows(table), []);
      assert.equal(await receipts(table), 0);
    });

    it("rejects a table name with a quote in it before touching the database", async () => {
      const table = 'ops"; DROP TABLE x; --';
      const r = await runDag(rt, "ops_pg_copy", { conf: { table, blob: "whatever.csv" } });
      assert.equal(r.ti("load").state, "failed");
      assert.match(r.ti("load").error ?? "", /table 'ops"; DROP TABLE x; --' is not allowed: use letters, digits and underscores/);
      assert.equal(r.ti("load").try_number, 1);
    });
  });

  describe("kafkaProduce (local broker)", () => {
    it("produces messages from the config and from a registered generator, keyed by key_field", async () => {
      const topicA = uniqueName("ops-a-");
      const topicB = uniqueName("ops-b-");
      const run = uniqueName("run");
      const r = await runDag(rt, "ops_kafka", { conf: { topic_a: topicA, topic_b: topicB, count: 7, run } });
      assert.equal(r.output.state, "success", JSON.stringify(r.tasks.map((x) => [x.task_id, x.state, x.error])));
      assert.deepEqual(JSON.parse(r.ti("from_config").xcom ?? "null"), { topic: topicA, messages: 4 });
      assert.deepEqual(JSON.parse(r.ti("from_generator").xcom ?? "null"), { topic: topicB, messages: 7 });

      const kafka = new Kafka({ clientId: "ops-test", brokers: kafkaBrokers(), logLevel: logLevel.NOTHING });
      const consumer = kafka.consumer({ groupId: uniqueName("ops-test-") });
      const seen: Record<string, { key: string | null; value: string }[]> = { [topicA]: [], [topicB]: [] };
      await consumer.connect();
      try {
        await consumer.subscribe({ topics: [topicA, topicB], fromBeginning: true });
        const all = new Promise<void>((resolve) => {
          void consumer.run({
            eachMessage: async ({ topic, message }) => {
              seen[topic].push({ key: message.key?.toString("utf8") ?? null, value: message.value?.toString("utf8") ?? "" });
              if (seen[topicA].length >= 4 && seen[topicB].length >= 7) resolve();
            },
          });
        });
        let timer: NodeJS.Timeout | undefined;
        const timeout = new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error(`timed out; seen ${JSON.stringify(seen)}`)), 30_000);
        });
        await Promise.race([all, timeout]).finally(() => clearTimeout(timer));
      } finally {
        await consumer.disconnect();
      }
      // One partition (auto-created topic): order is the produce order.
      assert.deepEqual(seen[topicA], [
        { key: "a", value: '{"id":"a","v":1}' },
        { key: "b", value: '{"id":"b","v":2}' },
        { key: "c", value: JSON.stringify({ id: "c", v: run }) },
        { key: null, value: "plain text" },
      ]);
      assert.deepEqual(seen[topicB], Array.from({ length: 7 }, (_, i) => {
        const n = i + 1;
        return { key: `k${n % 3}`, value: JSON.stringify({ n, key: `k${n % 3}`, square: n * n }) };
      }));
    });
  });

  describe("timeDeltaSensor (in the orchestrator)", () => {
    it("waits on a durable timer until data_interval_end + delta when that is ahead", async () => {
      const logicalDate = new Date().toISOString();
      const r = await runDag(rt, "ops_time_delta", { logicalDate });
      assert.equal(r.output.state, "success");
      const end = Date.parse(r.run.data_interval_end ?? "");
      assert.equal(end, Date.parse(logicalDate), "a manual run of an unscheduled DAG: its interval ends at the logical date");
      // One durable timer, for the sensor's target time; nothing else to wait for meanwhile.
      assert.deepEqual(timers(r.history, TIMER_CREATED), [end + 3_600_000]);
      assert.deepEqual(timers(r.history, TIMER_FIRED), [end + 3_600_000]);
      assert.ok(Date.parse(r.ti("after").start_date ?? "") >= end + 3_600_000, `after started ${r.ti("after").start_date}`);
    });

    it("succeeds at once when data_interval_end + delta is past", async () => {
      const r = await runDag(rt, "ops_time_delta", { logicalDate: randomPastDate() });
      assert.equal(r.ti("wait_an_hour").state, "success");
      assert.equal(r.ti("after").state, "success");
      assert.deepEqual(timers(r.history, TIMER_CREATED), []);
    });
  });

  describe("externalTaskSensor", () => {
    it("succeeds when the other DAG's run at the same logical date succeeded", async () => {
      const logicalDate = randomPastDate();
      assert.equal((await runDag(rt, "ops_ext_target", { logicalDate })).output.state, "success");
      const r = await runDag(rt, "ops_ext_sensor", { logicalDate });
      assert.equal(r.ti("wait_dag").state, "success");
      assert.equal(r.ti("wait_task").state, "success");
      assert.deepEqual(timers(r.history, TIMER_CREATED), [], "done on the first poke");
    });

    it("fails when the other run failed and failed_states names that state", async () => {
      const logicalDate = randomPastDate();
      assert.equal((await runDag(rt, "ops_ext_target", { logicalDate, conf: { fail: "yes" } })).output.state, "failed");
      const r = await runDag(rt, "ops_ext_sensor", { logicalDate });
      assert.equal(r.ti("wait_dag").state, "failed");
      assert.match(r.ti("wait_dag").error ?? "", /ops_ext_target failed \(failed\)/);
      assert.equal(r.ti("wait_task").state, "failed");
    });

    it("times out when no run exists at that logical date (another date's run does not count)", async () => {
      await runDag(rt, "ops_ext_target", { logicalDate: randomPastDate() });
      const r = await runDag(rt, "ops_ext_sensor", { logicalDate: randomPastDate() });
      for (const id of ["wait_dag", "wait_task"]) {
        assert.equal(r.ti(id).state, "failed");
        assert.match(r.ti(id).error ?? "", /Sensor has timed out/);
      }
      // poke_interval 1 m, timeout 5 m: five waits per sensor.
      for (const id of ["wait_dag", "wait_task"]) assert.deepEqual(waitsBetweenAttempts(r.history, id), [60, 60, 60, 60, 60], id);
    });
  });

  describe("triggerDagRun", () => {
    it("wait_for_completion: succeeds once the child run succeeded", async () => {
      const childRunId = uniqueName("child_ok_");
      const r = await runDag(rt, "ops_trigger_wait", { conf: { child_run_id: childRunId, child_fail: "no" } });
      assert.equal(r.ti("trigger").state, "success", r.ti("trigger").error ?? "");
      const value = JSON.parse(r.ti("trigger").xcom ?? "null") as Record<string, unknown>;
      assert.equal(value.trigger_dag_id, "ops_child");
      assert.equal(value.trigger_run_id, childRunId);
      const child = await rt.ledger.getDagRun("ops_child", childRunId);
      assert.equal(child?.state, "success");
      assert.ok(Date.parse(r.ti("trigger").end_date ?? "") >= Date.parse(child.end_date ?? ""), "the parent task ends after its child");
    });

    it("wait_for_completion with failed_states: a failing child fails the task", async () => {
      const childRunId = uniqueName("child_bad_");
      const r = await runDag(rt, "ops_trigger_wait", { conf: { child_run_id: childRunId, child_fail: "yes" } });
      assert.equal(r.ti("trigger").state, "failed");
      assert.match(r.ti("trigger").error ?? "", /ops_child failed/);
      assert.equal((await rt.ledger.getDagRun("ops_child", childRunId))?.state, "failed");
    });

    it("skip_when_already_exists skips a second trigger of the same run id; reset_dag_run replaces the run", async () => {
      const childRunId = uniqueName("child_twice_");
      const r = await runDag(rt, "ops_trigger_twice", { conf: { child_run_id: childRunId } });
      assert.equal(r.ti("first").state, "success", r.ti("first").error ?? "");
      assert.equal(r.ti("again_skip").state, "skipped");
      assert.equal(r.ti("again_reset").state, "success", r.ti("again_reset").error ?? "");
      const ran = app.childRuns.filter((c) => c.runId === childRunId).map((c) => c.conf.n);
      assert.deepEqual(ran, [1, 3], "the skipped trigger started nothing; the reset ran the child again");
      const child = await rt.ledger.getDagRun("ops_child", childRunId);
      assert.equal(child?.state, "success");
      assert.deepEqual(child.conf, { n: 3 }, "the ledger run is the re-created one");
      const work = (await rt.ledger.listTaskInstances("ops_child", childRunId)).find((t) => t.task_id === "work");
      assert.equal(work?.try_number, 1, "a fresh run, not a retry of the old one");
    });
  });

});
