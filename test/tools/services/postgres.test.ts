import assert from "node:assert/strict";
import { test } from "node:test";
import { Client } from "pg";
import { needService, pgConfig, uniqueName } from "../../support/services";

async function withClient<T>(use: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client(pgConfig());
  await client.connect();
  try {
    return await use(client);
  } finally {
    await client.end();
  }
}

test("postgres answers a parameterised query on the configured database", async (t) => {
  if (!(await needService(t, "postgres"))) return;
  await withClient(async (client) => {
    const { rows } = await client.query<{ db: string; total: string }>(
      "SELECT current_database() AS db, (SELECT sum(x) FROM generate_series(1, $1::int) x)::text AS total",
      [10],
    );
    assert.equal(rows[0]?.db, pgConfig().database);
    assert.equal(rows[0]?.total, "55");
  });
});

test("postgres commits and rolls back transactions", async (t) => {
  if (!(await needService(t, "postgres"))) return;
  const table = uniqueName("tx_");
  await withClient(async (client) => {
    const name = client.escapeIdentifier(table);
    await client.query(`CREATE TABLE ${name} (id int PRIMARY KEY, note text NOT NULL)`);
    try {
      await client.query("BEGIN");
      await client.query(`INSERT INTO ${name} VALUES ($1, $2), ($3, $4)`, [1, "kept", 2, "kept too"]);
      await client.query("COMMIT");

      await client.query("BEGIN");
      await client.query(`INSERT INTO ${name} VALUES ($1, $2)`, [3, "rolled back"]);
      await client.query("ROLLBACK");

      // A failed statement aborts the whole transaction: nothing of it survives.
      await client.query("BEGIN");
      await client.query(`INSERT INTO ${name} VALUES ($1, $2)`, [4, "lost with the duplicate"]);
      await assert.rejects(client.query(`INSERT INTO ${name} VALUES ($1, $2)`, [1, "duplicate"]), /duplicate key/);
      await client.query("ROLLBACK");

      const { rows } = await client.query<{ id: number }>(`SELECT id FROM ${name} ORDER BY id`);
      assert.deepEqual(rows.map((r) => r.id), [1, 2]);
    } finally {
      await client.query(`DROP TABLE ${name}`);
    }
  });
});
