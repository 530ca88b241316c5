// sensor_with_conditions (PIPELINES.md section 3) as a scenario table: which blobs and rows exist
// -> the state of every task, mapped instances included. Sensors poke every 5 s and soft-fail
// after 15 s on the virtual clock, so each scenario takes well under a second.
import { after, before, describe, it, type TestContext } from "node:test";
import assert from "node:assert/strict";
import { BlobServiceClient } from "@azure/storage-blob";
import { Client } from "pg";
import type { LocalDagRuntime } from "../../tools/dagrun/local-dag-runtime";
import { runDag, startTestRuntime } from "../support/dag-runs";
import { azuriteConnectionString, needService, pgConfig } from "../support/services";

interface Scenario {
  name: string;
  blobs: string[];
  rows: ("magic" | "technology")[];
  expected: Record<string, string>;
  run: "success" | "failed";
}

const ALL_SKIPPED = "skipped";
const scenarios: Scenario[] = [
  {
    name: "nothing there: every sensor soft-fails and the skips cascade",
    blobs: [], rows: [],
    expected: {
      start: "success", blob_sensor_1: ALL_SKIPPED, blob_sensor_2: ALL_SKIPPED, blob_sensor_3: ALL_SKIPPED,
      postgres_conn_1: ALL_SKIPPED, postgres_conn_2: ALL_SKIPPED, blob_sensor_4: ALL_SKIPPED, done: ALL_SKIPPED,
      finish: ALL_SKIPPED, all_success: ALL_SKIPPED,
    },
    run: "success",
  },
  {
    name: "one prefix and one table: the mapped sensor runs, done and finish succeed, all_success is skipped",
    blobs: ["sensor/2024.csv"], rows: ["magic"],
    expected: {
      start: "success", blob_sensor_1: "success", blob_sensor_2: "skipped", blob_sensor_3: "skipped",
      postgres_conn_1: "success", postgres_conn_2: "skipped",
      "blob_sensor_4[0]": "success", "blob_sensor_4[1]": "skipped", "blob_sensor_4[2]": "skipped",
      done: "success", finish: "success", all_success: "skipped",
    },
    run: "success",
  },
  {
    name: "everything there: all sensors succeed except the mapped one on a prefix nobody writes",
    blobs: ["sensor/a.csv", "notexistblob/b.csv", "some_blob/c.csv"], rows: ["magic", "technology"],
    expected: {
      start: "success", blob_sensor_1: "success", blob_sensor_2: "success", blob_sensor_3: "success",
      postgres_conn_1: "success", postgres_conn_2: "success",
      "blob_sensor_4[0]": "success", "blob_sensor_4[1]": "skipped", "blob_sensor_4[2]": "success",
      done: "success", finish: "success", all_success: "success",
    },
    run: "success",
  },
];

describe("sensor_with_conditions scenarios", () => {
  let rt: LocalDagRuntime;
  let pg: Client;
  const container = () => BlobServiceClient.fromConnectionString(azuriteConnectionString()).getContainerClient("finance-data");

  before(async (t) => {
    const ctx = t as unknown as TestContext; // before() gets the suite context; needService only skips or throws
    if (!(await needService(ctx, "azurite")) || !(await needService(ctx, "postgres"))) return;
    rt = await startTestRuntime();
    pg = new Client(pgConfig());
    await pg.connect();
    for (const table of ["magic", "technology"]) {
      await pg.query(`CREATE TABLE IF NOT EXISTS ${table} (id serial PRIMARY KEY, created timestamp NOT NULL)`);
    }
  });
  after(async () => {
    await pg?.end();
    await rt?.close();
  });

  scenarios.forEach((scenario, i) => {
    it(scenario.name, async () => {
      // Blob sensors look at prefixes, not dates: each scenario starts from an empty container.
      const c = container();
      await c.createIfNotExists();
      for await (const b of c.listBlobsFlat()) await c.deleteBlob(b.name);
      for (const name of scenario.blobs) await c.getBlockBlobClient(name).upload("x", 1);
      // SQL sensors look for rows of the run's date: a date of its own per scenario and test run.
      const day = new Date(Date.UTC(2000 + (Date.now() % 900), i, 1 + (Math.floor(Date.now() / 1000) % 27)));
      const ds = day.toISOString().slice(0, 10);
      for (const table of scenario.rows) await pg.query(`INSERT INTO ${table} (created) VALUES ($1)`, [`${ds} 12:00:00`]);

      const r = await runDag(rt, "sensor_with_conditions", { logicalDate: `${ds}T00:00:00Z` });
      const actual: Record<string, string> = {};
      for (const key of Object.keys(scenario.expected)) actual[key] = String(r.ti(key).state);
      assert.deepEqual(actual, scenario.expected);
      assert.equal(r.output.state, scenario.run);
      // Finished blob sensors, timed out or not, leave no wake-up registration behind.
      const { waitsMatching } = await import("../../functions/sensors/sensor-waits");
      for (const prefix of ["sensor/", "notexistblob/", "some_blob/", "not_exist_blob/"]) {
        const left = (await waitsMatching("finance-data", `${prefix}x`)).filter((w) => w.instanceId === r.run.instance_id);
        assert.deepEqual(left, [], `waits left for ${prefix}`);
      }
    });
  });
});
