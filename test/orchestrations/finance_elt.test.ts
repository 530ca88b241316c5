// finance_elt on the local runtime with the real services: good files load once and are archived;
// bad files (a missing column, a value of the wrong type, a truncated last line, bytes that are
// not UTF-8) are moved to quarantine/ with the reason, file and line while the good ones still
// load, and the counts reconcile; on_bad_file skip lets the run succeed without them; a load
// killed mid-COPY leaves nothing behind and the rerun loads every row exactly once.
import { after, before, describe, it, type TestContext } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { Client } from "pg";
import type { LocalDagRuntime } from "../../tools/dagrun/local-dag-runtime";
import { runDag, startTestRuntime } from "../support/dag-runs";
import {
  clearFinanceInbox, dataRows, freshLogicalDate, download, financeContainer, financePair, upload, withField, withoutColumn,
} from "../support/finance-data";
import { needService, pgConfig, uniqueName } from "../support/services";

/** A past instant of its own per run (runs and their logical dates stay in the ledger). */
/** Latin-1's é (0xe9 alone) where UTF-8 needs two bytes: "Cafe" becomes "Caf\xe9". */
function notUtf8(csv: string): Buffer {
  const bytes = Buffer.from(csv, "utf8");
  bytes[bytes.indexOf("Cafe payment.") + 3] = 0xe9;
  return bytes;
}

async function exists(container: string, blob: string): Promise<boolean> {
  return financeContainer(container).getBlobClient(blob).exists();
}

describe("finance_elt", () => {
  let rt: LocalDagRuntime;
  let pg: Client;
  before(async (t) => {
    const ctx = t as unknown as TestContext; // before() gets the suite context; needService only skips or throws
    if (!(await needService(ctx, "azurite")) || !(await needService(ctx, "postgres"))) return;
    rt = await startTestRuntime();
    pg = new Client(pgConfig());
    await pg.connect();
  });
  after(async () => {
    await pg?.end();
    await rt?.close();
    const { closePostgresPools } = await import("../../functions/hooks/postgres");
    await closePostgresPools();
  });

  const chargeRowsIn = async (ids: string[]) => Number((await pg.query("SELECT count(*)::int AS n FROM in_charge WHERE id = ANY($1)", [ids])).rows[0].n);
  const customersIn = async (table: string, ids: string[]) => Number((await pg.query(`SELECT count(*)::int AS n FROM ${table} WHERE customer_id = ANY($1::uuid[])`, [ids])).rows[0].n);

  it("quarantines each bad file with its reason, file and line, loads the good ones, fails naming them; counts reconcile", async () => {
    await clearFinanceInbox();
    const seed = uniqueName("fin-bad-");
    const good = financePair(`${seed}-a`, 40);
    const other = financePair(`${seed}-b`, 30);
    const bad = financePair(`${seed}-c`, 25).charge;
    const truncated = bad.slice(0, bad.length - 2);
    const files: Record<string, string | Buffer> = {
      "charge/good_a.csv": good.charge,
      "satisfaction/good_a.csv": good.satisfaction,
      "satisfaction/good_b.csv": other.satisfaction,
      "charge/missing_column.csv": withoutColumn(other.charge, "status"),
      "charge/wrong_type.csv": withField(bad, 7, "amount", "12x"),
      "charge/truncated.csv": truncated.slice(0, truncated.lastIndexOf("\r\n") + 40),
      "charge/not_utf8.csv": notUtf8(withField(bad, 5, "description", "Cafe payment.")),
    };
    for (const [name, body] of Object.entries(files)) await upload(name, body);
    const truncatedLines = dataRows(files["charge/truncated.csv"]) + 1;

    const r = await runDag(rt, "finance_elt", { logicalDate: freshLogicalDate() });
    assert.equal(r.output.state, "failed");
    const saves = r.tasks.filter((t) => t.task_id === "save_data_from_storage_to_db");
    assert.equal(saves.length, 7);
    const errors = saves.filter((t) => t.state === "failed").map((t) => t.error ?? "").sort();
    const expected: [string, RegExp][] = [
      ["charge/missing_column.csv", /^finance-data\/charge\/missing_column\.csv line 1: the header lacks column 'status'/],
      ["charge/not_utf8.csv", /^finance-data\/charge\/not_utf8\.csv line 6: bytes that are not UTF-8 \(0xe9/],
      ["charge/truncated.csv", new RegExp(`^finance-data/charge/truncated\\.csv line ${truncatedLines}: the last line has no line break at its end: the file looks truncated`)],
      ["charge/wrong_type.csv", /^finance-data\/charge\/wrong_type\.csv line 8: column amount: invalid input syntax for type integer: "12x"/],
    ];
    assert.equal(errors.length, expected.length, JSON.stringify(errors));
    for (const [i, [blob, pattern]] of expected.entries()) {
      assert.match(errors[i], pattern);
      assert.match(errors[i], new RegExp(`kept in finance-data/quarantine/${blob.replace(".", "\\.")} with the reason`));
      // Moved: out of the inbox, into quarantine/ unchanged, with the same reason beside it.
      assert.equal(await exists("finance-data", blob), false, `${blob} left the inbox`);
      assert.deepEqual(await download(`quarantine/${blob}`), Buffer.from(files[blob]));
      assert.match((await download(`quarantine/${blob}.reason.txt`)).toString("utf8"), pattern);
    }
    // The good files loaded all the same; nothing was archived, since the run failed first.
    assert.deepEqual(saves.filter((t) => t.state === "success").map((t) => JSON.parse(t.xcom ?? "null")).sort(), ["charge/good_a.csv", "satisfaction/good_a.csv", "satisfaction/good_b.csv"]);
    assert.equal(r.ti("move_blob_to_archive").state, "upstream_failed");
    const goodIds = good.customers.flatMap((c) => c.charges.map((ch) => String(ch.id)));
    assert.equal(await chargeRowsIn(goodIds), goodIds.length);
    const customerIds = [...good.customers, ...other.customers].map((c) => String(c.satisfaction.customer_id));
    assert.equal(await customersIn("customer_satisfaction", customerIds), customerIds.length);
    // Rows in the files = rows loaded + rows in quarantined files.
    const inFiles = Object.values(files).reduce((n, body) => n + dataRows(body), 0);
    const badIds = [other, financePair(`${seed}-c`, 25)].flatMap((p) => p.customers.flatMap((c) => c.charges.map((ch) => String(ch.id))));
    const loaded = (await chargeRowsIn([...goodIds, ...badIds])) + (await customersIn("customer_satisfaction", customerIds));
    let quarantined = 0;
    for (const [blob] of expected) quarantined += dataRows(await download(`quarantine/${blob}`));
    assert.equal(loaded + quarantined, inFiles, `${loaded} loaded + ${quarantined} quarantined`);
    assert.equal(loaded, goodIds.length + customerIds.length);

    // The next run finds only the good files, adds no row, archives them and builds model_training.
    const day = freshLogicalDate();
    const again = await runDag(rt, "finance_elt", { logicalDate: day });
    assert.equal(again.output.state, "success", JSON.stringify(again.tasks.filter((t) => t.state !== "success").map((t) => [t.task_id, t.state, t.error])));
    assert.equal(again.tasks.filter((t) => t.task_id === "save_data_from_storage_to_db").length, 3);
    assert.equal(await chargeRowsIn(goodIds), goodIds.length);
    for (const blob of ["charge/good_a.csv", "satisfaction/good_a.csv", "satisfaction/good_b.csv"]) {
      assert.equal(await exists("finance-data", blob), false);
      assert.deepEqual(await download(`financial_data/date_${day.slice(0, 10)}/${blob}`, financeContainer("finance-archive")), Buffer.from(files[blob]));
    }
    const paying = good.customers.filter((c) => c.charges.some((ch) => ch.status === "succeeded"));
    const training = await pg.query("SELECT customer_id::text AS id, avg_amount_captured::float8 AS avg FROM model_training WHERE customer_id = ANY($1::uuid[])",
      [good.customers.map((c) => String(c.satisfaction.customer_id))]);
    assert.equal(training.rowCount, paying.length);
    const first = paying[0];
    const captured = first.charges.filter((ch) => ch.status === "succeeded").map((ch) => Number(ch.amount_captured));
    const mean = Math.round((captured.reduce((a, b) => a + b, 0) / captured.length) * 100) / 100;
    assert.equal(training.rows.find((x) => x.id === first.satisfaction.customer_id)?.avg, mean);
  });

  it("with on_bad_file skip, the run succeeds without the bad file, which waits in quarantine", async () => {
    await clearFinanceInbox();
    const seed = uniqueName("fin-skip-");
    const good = financePair(`${seed}-a`, 20);
    await upload("charge/good.csv", good.charge);
    await upload("satisfaction/good.csv", good.satisfaction);
    await upload("charge/bad.csv", withField(financePair(`${seed}-b`, 10).charge, 3, "disputed", "maybe"));
    const day = freshLogicalDate();
    const r = await runDag(rt, "finance_elt", { logicalDate: day, conf: { on_bad_file: "skip" } });
    assert.equal(r.output.state, "success", JSON.stringify(r.tasks.filter((t) => t.state !== "success").map((t) => [t.task_id, t.state, t.error])));
    const skipped = r.tasks.filter((t) => t.task_id === "save_data_from_storage_to_db" && t.state === "skipped");
    assert.equal(skipped.length, 1);
    assert.match(JSON.stringify(skipped[0]), /charge\/bad\.csv line 4: column disputed: invalid input syntax for type boolean: \\"maybe\\"/);
    assert.equal(r.tasks.filter((t) => t.task_id === "move_blob_to_archive").length, 2);
    assert.match((await download("quarantine/charge/bad.csv.reason.txt")).toString("utf8"), /line 4: column disputed/);
    assert.ok(await exists("finance-archive", `financial_data/date_${day.slice(0, 10)}/charge/good.csv`));
    assert.equal(r.ti("store_calculated_data_for_ml_training").state, "success");
  });

  it("a load killed mid-COPY leaves no row and no receipt; the rerun loads each row once, and a re-upload adds none", async () => {
    await clearFinanceInbox();
    const seed = uniqueName("fin-kill-");
    const created = 1_000_000_000 + Math.floor(Math.random() * 1_000_000_000);
    const big = financePair(seed, 60_000, created);
    const rows = dataRows(big.charge);
    await upload("charge/big.csv", big.charge);
    await upload("satisfaction/big.csv", big.satisfaction);
    const count = async () => Number((await pg.query("SELECT count(*)::int AS n FROM in_charge WHERE created = $1", [created])).rows[0].n);
    const receipts = async () => Number((await pg.query("SELECT count(*)::int AS n FROM azflow_copy_receipts WHERE source = 'finance-data/charge/big.csv'")).rows[0].n);
    await pg.query("DELETE FROM azflow_copy_receipts WHERE source = 'finance-data/charge/big.csv'").catch(() => undefined);
    // The tables exist before the child loads (in the DAG, phase 3 creates them).
    for (const name of ["create_charge_table", "create_satisfaction_table", "create_model_training_table"]) {
      await pg.query(fs.readFileSync(path.resolve(__dirname, "../../../orchestrations/sql/finance_elt", `${name}.sql`), "utf8"));
    }

    const child = spawn(process.execPath, [path.resolve(__dirname, "../support/finance-copy-child.js"), "charge/big.csv"], { stdio: ["ignore", "pipe", "pipe"], env: process.env });
    const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
    let progressed = 0;
    const deadline = Date.now() + 60_000;
    while (progressed === 0) {
      assert.ok(Date.now() < deadline, "the child never got into its COPY");
      const p = await pg.query("SELECT coalesce(max(tuples_processed), 0)::int AS n FROM pg_stat_progress_copy WHERE relid = 'in_charge'::regclass");
      progressed = Number(p.rows[0].n);
      if (!progressed) await new Promise((resolve) => setTimeout(resolve, 20));
    }
    child.kill("SIGKILL");
    assert.equal(await exited, null, "killed, not finished");
    assert.ok(progressed < rows, `killed midway (${progressed} of ${rows} rows were in)`);
    // The server aborts the dead client's transaction: no row, no receipt.
    for (let i = 0; i < 100 && (await pg.query("SELECT count(*)::int AS n FROM pg_stat_progress_copy")).rows[0].n > 0; i++) await new Promise((r) => setTimeout(r, 50));
    assert.equal(await count(), 0);
    assert.equal(await receipts(), 0);

    const rerun = await runDag(rt, "finance_elt", { logicalDate: freshLogicalDate() });
    assert.equal(rerun.output.state, "success", JSON.stringify(rerun.tasks.filter((t) => t.state !== "success").map((t) => [t.task_id, t.state, t.error])));
    assert.equal(await count(), rows);
    assert.equal(await receipts(), 1);
    // The same bytes uploaded again are a new blob version: loaded through the staging table, no row added.
    await upload("charge/big.csv", big.charge);
    await upload("satisfaction/big.csv", big.satisfaction);
    const reupload = await runDag(rt, "finance_elt", { logicalDate: freshLogicalDate() });
    assert.equal(reupload.output.state, "success");
    assert.equal(await count(), rows);
    assert.equal(await receipts(), 2);
    const loadXcoms = reupload.tasks.filter((t) => t.task_id === "save_data_from_storage_to_db").map((t) => t.xcom);
    assert.deepEqual(loadXcoms.sort(), ['"charge/big.csv"', '"satisfaction/big.csv"']);
  });
});
