// songplays_dwh end to end on the local runtime against a local stand-in for the song and event
// bucket (tools/fixtures: S3 listing, per-track JSON, JSON-lines event logs): the star schema
// checked against the generated day, a rerun replacing only its day, the report in blob storage,
// and bad days failing with a clear message, a webhook notification and nothing half-loaded.
import { after, before, describe, it, type TestContext } from "node:test";
import assert from "node:assert/strict";
import { BlobServiceClient } from "@azure/storage-blob";
import { Client } from "pg";
import type { LocalDagRuntime } from "../../tools/dagrun/local-dag-runtime";
import { dayEvents, MISSING_FIELD_LINE, songCatalog } from "../../tools/fixtures";
import { rerunDate, startTestRuntime, type FinishedRun } from "../support/dag-runs";
import { azuriteConnectionString, needService, pgConfig } from "../support/services";
import { httpConnection, startSources, startWebhookReceiver, type WebhookReceiver } from "../support/source-fixtures";

const SONGS = 40;

/** A past day of its own per test run (the ledger and the warehouse outlive test runs). */
function freshDay(offset: number): string {
  return new Date((Math.floor(Math.random() * 18_000) + offset * 3) * 86_400_000).toISOString().slice(0, 10);
}

describe("songplays_dwh (local stand-in for the song and event data)", () => {
  let rt: LocalDagRuntime;
  let pg: Client;
  let sources: Awaited<ReturnType<typeof startSources>>;
  let webhook: WebhookReceiver;

  before(async (t) => {
    const ctx = t as unknown as TestContext;
    if (!(await needService(ctx, "azurite")) || !(await needService(ctx, "postgres"))) return;
    sources = await startSources({ seed: "songs-test", songs: SONGS });
    webhook = await startWebhookReceiver();
    process.env.AIRFLOW_CONN_SONGPLAYS_ALERTS = httpConnection(webhook.url);
    rt = await startTestRuntime();
    pg = new Client(pgConfig());
    await pg.connect();
  });
  after(async () => {
    await rt?.close();
    const { closePostgresPools } = await import("../../functions/hooks/postgres");
    await closePostgresPools();
    await pg?.end();
    await sources?.close();
    await webhook?.close();
  });

  const clearAndRun = (ds: string): Promise<FinishedRun> => rerunDate(rt, "songplays_dwh", `${ds}T00:00:00Z`);

  const count = async (sql: string, ...values: unknown[]): Promise<number> => Number((await pg.query(sql, values)).rows[0].n);
  const playsOn = (ds: string) => count("SELECT count(*) AS n FROM dwh.songplays WHERE start_time >= $1::date AND start_time < $1::date + 1", ds);
  const idsOn = async (ds: string) => (await pg.query("SELECT songplay_id FROM dwh.songplays WHERE start_time >= $1::date AND start_time < $1::date + 1 ORDER BY 1", [ds])).rows.map((r) => r.songplay_id as string);

  it("loads the day into the star schema, publishes the report, and a rerun of a day replaces only that day", async () => {
    sources.use();
    const [day1, day2] = [freshDay(0), freshDay(0)].sort();
    const catalog = songCatalog(sources.seed, SONGS);
    const expected = (ds: string) => {
      const plays = dayEvents(sources.seed, ds, catalog).filter((e) => e.page === "NextSong");
      const titles = new Set(catalog.songs.map((s) => `${s.record.title}|${s.record.artist_name}`));
      return { plays: plays.length, matched: plays.filter((e) => titles.has(`${String(e.song)}|${String(e.artist)}`)).length };
    };
    const first = await clearAndRun(day1);
    assert.equal(first.output.state, "success", JSON.stringify(first.tasks.map((x) => [x.task_id, x.state, x.error])));
    assert.equal((await clearAndRun(day2)).output.state, "success");
    for (const ds of [day1, day2]) {
      assert.equal(await playsOn(ds), expected(ds).plays, `every NextSong event of ${ds} is a songplay`);
      assert.equal(
        await count("SELECT count(*) AS n FROM dwh.songplays WHERE start_time >= $1::date AND start_time < $1::date + 1 AND song_id IS NOT NULL", ds),
        expected(ds).matched, `plays of catalog songs on ${ds} are matched by title, artist and duration`,
      );
      assert.equal(await count("SELECT count(*) AS n FROM dwh.staging_events WHERE ds = $1", ds), dayEvents(sources.seed, ds, catalog).length);
    }
    assert.equal(JSON.parse(first.ti("download_songs").xcom ?? "null").files, SONGS);
    assert.ok(sources.requests.some((p) => p.startsWith("/com.datalab/?list-type=2&prefix=song_data")), "the catalog was listed through S3's ListObjectsV2");
    assert.equal(await count("SELECT count(*) AS n FROM dwh.songs WHERE song_id = ANY($1)", catalog.songs.map((s) => s.record.song_id)), SONGS);
    assert.ok(await count("SELECT count(*) AS n FROM dwh.time WHERE start_time >= $1::date AND start_time < $1::date + 1", day1) > 0);
    assert.ok(await count("SELECT count(*) AS n FROM dwh.users") > 0);
    assert.equal(first.ti("data_quality_checks").state, "success");
    // The SLA (2 h after the data interval's end) is long past for a day in the past: every task records the miss.
    const deadline = new Date(Date.parse(String(first.run.data_interval_end)) + 7_200_000).toISOString().replace(".000Z", "+00:00");
    assert.equal(first.ti("publish_report").sla_missed_deadline, deadline);
    assert.equal(JSON.parse(first.ti("load_songplays").xcom ?? "null")[0][0], expected(day1).plays, "load_songplays' XCom is the day's count");

    const report = JSON.parse(first.ti("publish_report").xcom ?? "null") as { blobs: string[]; top_song: { plays: number } | null; songplays: unknown };
    assert.deepEqual(report.blobs, ["songplays/reports/" + day1 + "/top_songs.csv", `songplays/reports/${day1}/users_by_level.csv`, `songplays/reports/${day1}/report.png`]);
    assert.deepEqual(report.songplays, [[expected(day1).plays]], "publish_report received load_songplays' XCom");
    const container = BlobServiceClient.fromConnectionString(azuriteConnectionString()).getContainerClient("songplays");
    const top = (await container.getBlobClient(`reports/${day1}/top_songs.csv`).downloadToBuffer()).toString("utf8").trim().split("\n");
    assert.equal(top[0], "title,artist,plays");
    assert.ok(top.length > 1 && top.length <= 11);
    assert.equal(Number(top[1].split(",").pop()), report.top_song?.plays);
    const levels = (await container.getBlobClient(`reports/${day1}/users_by_level.csv`).downloadToBuffer()).toString("utf8");
    assert.match(levels, /^level,users\n(free|paid),\d+\n/);
    const png = await container.getBlobClient(`reports/${day1}/report.png`).downloadToBuffer();
    assert.deepEqual([...png.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], "a PNG");
    assert.equal(png.readUInt32BE(16), 900, "width");
    assert.equal(png.readUInt32BE(20), 840, "two charts stacked");

    const day2Ids = await idsOn(day2);
    const day1Ids = await idsOn(day1);
    const rerun = await clearAndRun(day1);
    assert.equal(rerun.output.state, "success");
    assert.deepEqual(await idsOn(day1), day1Ids, "the day was replaced with the same rows");
    assert.deepEqual(await idsOn(day2), day2Ids, "the other day was not touched");
    assert.equal(webhook.received.length, 0, "no failure, no notification");
  });

  it("an events file with a missing field fails stage_events naming the file and line, after 2 retries; the webhook is told; nothing is staged", async () => {
    const ds = freshDay(1);
    webhook.received.length = 0;
    sources.use("missing-field");
    const r = await clearAndRun(ds);
    sources.use();
    assert.equal(r.output.state, "failed");
    const failed = r.ti("stage_events");
    assert.equal(failed.try_number, 3);
    assert.match(failed.error ?? "", new RegExp(`/_fault/missing-field/com\\.datalab/log-data/${ds}-events\\.json line ${MISSING_FIELD_LINE}: missing field 'ts'; nothing was loaded into dwh\\.staging_events`));
    assert.equal(r.ti("load_songplays").state, "upstream_failed");
    assert.equal(await count("SELECT count(*) AS n FROM dwh.staging_events WHERE ds = $1", ds), 0);
    const kept = BlobServiceClient.fromConnectionString(azuriteConnectionString()).getContainerClient("songplays");
    assert.match((await kept.getBlobClient(`quarantine/raw/${ds}/events.json.reason.txt`).downloadToBuffer()).toString(), /line 5: missing field 'ts'/);
    assert.ok((await kept.getBlobClient(`quarantine/raw/${ds}/events.json`).exists()), "the bad events file is kept in quarantine");
    const note = webhook.received.find((m) => m.task_id === "stage_events");
    assert.ok(note, `the failure callback posted to the webhook (got ${JSON.stringify(webhook.received)})`);
    assert.equal(note.state, "failed");
    assert.equal(note.dag_id, "songplays_dwh");
    assert.match(String(note.text), /Task stage_events of songplays_dwh ended failed in run .*line 5: missing field 'ts'/);
  });

  it("a day without song plays fails the quality checks with a clear message and notifies the webhook", async () => {
    const ds = freshDay(2);
    webhook.received.length = 0;
    sources.use("no-plays");
    const r = await clearAndRun(ds);
    sources.use();
    assert.equal(r.output.state, "failed");
    const failed = r.ti("data_quality_checks");
    assert.equal(failed.state, "failed");
    assert.match(failed.error ?? "", new RegExp(`Data quality check failed: dwh\\.songplays has rows for ${ds} \\(got \\[false\\]\\)`));
    assert.equal(r.ti("publish_report").state, "upstream_failed");
    assert.ok(webhook.received.some((m) => m.task_id === "data_quality_checks" && /dwh\.songplays has rows/.test(String(m.reason))));
  });
});
