// user_processing end to end on the local runtime against a local stand-in for the randomuser.me
// API (tools/fixtures): the day's user stored once with a salted scrypt hash, the plain password
// nowhere (table, XCom, orchestration history, logs, blobs), and the API's bad answers (500,
// malformed JSON, no results) failing the right task after its retries with nothing stored.
import { after, before, describe, it, type TestContext } from "node:test";
import assert from "node:assert/strict";
import { BlobServiceClient } from "@azure/storage-blob";
import { Client } from "pg";
import { startLocalDagRuntime, type LocalDagRuntime } from "../../tools/dagrun/local-dag-runtime";
import { randomUserResponse } from "../../tools/fixtures";
import { rerunDate, type FinishedRun } from "../support/dag-runs";
import { azuriteConnectionString, needService, pgConfig } from "../support/services";
import { startSources } from "../support/source-fixtures";

/** A day of its own per test run (the ledger and the users table outlive test runs). */
function freshDay(offset: number): string {
  return new Date((Math.floor(Math.random() * 30_000) + offset) * 86_400_000).toISOString().slice(0, 10);
}

function expectedUser(ds: string, fixtureSeed: string): { first: string; last: string; country: string; username: string; password: string; email: string } {
  const [u] = (randomUserResponse({ seed: ds, results: 1, page: 1 }, fixtureSeed).results as Record<string, Record<string, string>>[]);
  return {
    first: u.name.first, last: u.name.last, country: (u.location as unknown as { country: string }).country,
    username: u.login.username, password: u.login.password, email: u.email as unknown as string,
  };
}

describe("user_processing (local stand-in for the randomuser.me API)", () => {
  let rt: LocalDagRuntime;
  let pg: Client;
  let sources: Awaited<ReturnType<typeof startSources>>;
  const logs: string[] = [];

  before(async (t) => {
    const ctx = t as unknown as TestContext;
    if (!(await needService(ctx, "azurite")) || !(await needService(ctx, "postgres"))) return;
    sources = await startSources({ seed: "users-test" });
    rt = await startLocalDagRuntime({ log: (line) => logs.push(line) });
    pg = new Client(pgConfig());
    await pg.connect();
  });
  after(async () => {
    await rt?.close();
    const { closePostgresPools } = await import("../../functions/hooks/postgres");
    await closePostgresPools();
    await pg?.end();
    await sources?.close();
  });

  const clearAndRun = (ds: string): Promise<FinishedRun> => rerunDate(rt, "user_processing", `${ds}T00:00:00Z`);

  async function stored(username: string): Promise<Record<string, string>[]> {
    return (await pg.query("SELECT * FROM users WHERE username = $1", [username])).rows as Record<string, string>[];
  }

  it("stores the day's user once, with a salted scrypt hash and no plain password anywhere", async () => {
    sources.use();
    const ds = freshDay(0);
    const user = expectedUser(ds, sources.seed);
    logs.length = 0;
    const r = await clearAndRun(ds);
    assert.equal(r.output.state, "success", JSON.stringify(r.tasks.map((x) => [x.task_id, x.state, x.error])));
    assert.ok(sources.requests.some((p) => p === `/api/?seed=${ds}`), "extract_user asked the API for the day's user");
    const rows = await stored(user.username);
    assert.equal(rows.length, 1);
    assert.deepEqual(
      { firstname: rows[0].firstname, lastname: rows[0].lastname, country: rows[0].country, email: rows[0].email },
      { firstname: user.first, lastname: user.last, country: user.country, email: user.email },
    );
    assert.match(rows[0].password, /^scrypt\$ln=15,r=8,p=1\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$/);
    const { verifyPassword } = await import("../../functions/callables/user-processing");
    assert.equal(await verifyPassword(user.password, rows[0].password), true, "the hash verifies against the API's password");
    assert.equal(await verifyPassword(`${user.password}x`, rows[0].password), false);

    const blobs = BlobServiceClient.fromConnectionString(azuriteConnectionString()).getContainerClient("user-processing");
    const raw = (await blobs.getBlobClient(`raw/${ds}/user.json`).downloadToBuffer()).toString("utf8");
    const csv = (await blobs.getBlobClient(`processed/${ds}/user.csv`).downloadToBuffer()).toString("utf8");
    assert.match(raw, new RegExp(`"username":"${user.username}"`), "the extract is kept");
    const places = { table: JSON.stringify(rows), xcoms: JSON.stringify(r.tasks.map((x) => x.xcom)), history: JSON.stringify(r.history), logs: logs.join("\n"), raw, csv };
    for (const [where, text] of Object.entries(places)) {
      assert.equal(text.includes(`"${user.password}"`) || text.includes(`,${user.password},`) || text.includes(` ${user.password} `), false, `plain password found in ${where}`);
    }
    assert.ok(logs.some((l) => l.includes(`Processed user ${user.username}`)), "the task logs were captured");

    const again = await clearAndRun(ds);
    assert.equal(again.output.state, "success");
    assert.equal((await stored(user.username)).length, 1, "rerunning the day adds no duplicate user");
    assert.equal((await stored(user.username))[0].password, rows[0].password, "the stored user is kept as it was");
  });

  for (const [fault, task, message] of [
    ["http-500", "is_api_available", /500:Internal Server Error from api\//],
    ["malformed-json", "process_user", /\/_fault\/malformed-json\/api\/ \(stored as user-processing\/raw\/.*\/user\.json\): not valid JSON at line 1, column \d+/],
    ["empty-results", "process_user", /\/_fault\/empty-results\/api\/ .*: the API answered an empty results list/],
  ] as const) {
    it(`the API answering ${fault} fails ${task} after 2 retries, naming the source; no user is stored`, async () => {
      const ds = freshDay(1);
      const before = Number((await pg.query("SELECT count(*) FROM users")).rows[0].count);
      sources.use(fault);
      const r = await clearAndRun(ds);
      sources.use();
      assert.equal(r.output.state, "failed");
      const failed = r.ti(task);
      assert.equal(failed.state, "failed");
      assert.equal(failed.try_number, 3, "two retries, as default_args say");
      assert.match(failed.error ?? "", message);
      assert.equal(r.ti("store_user").state, "upstream_failed");
      if (task === "process_user") {
        const container = BlobServiceClient.fromConnectionString(azuriteConnectionString()).getContainerClient("user-processing");
        assert.match((await container.getBlobClient(`quarantine/raw/${ds}/user.json.reason.txt`).downloadToBuffer()).toString(), message, "the bad answer is kept with its reason");
      }
      assert.equal(Number((await pg.query("SELECT count(*) FROM users")).rows[0].count), before);
    });
  }
});
