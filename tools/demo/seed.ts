// What the shipped DAGs need to show their scenarios: sensor_with_conditions finds today's row in
// `magic` (not in `technology`, so that sensor soft-fails to SKIPPED) and a blob under
// finance-data/sensor/. Idempotent; written through the app's own connections.
import { blobService } from "../../functions/hooks/blob";
import { postgresPool } from "../../functions/hooks/postgres";

export const SENSOR_CONTAINER = "finance-data";

export async function seedSensorScenario(today: string): Promise<string[]> {
  const pool = postgresPool("postgres_default");
  const done: string[] = [];
  for (const table of ["magic", "technology"]) {
    await pool.query(`CREATE TABLE IF NOT EXISTS ${table} (created timestamp NOT NULL)`);
  }
  const { rowCount } = await pool.query(
    // Only `created` is written: the sensors read nothing else, and tables made elsewhere may hold more columns.
    "INSERT INTO magic (created) SELECT $1::date + time '12:00' WHERE NOT EXISTS (SELECT 1 FROM magic WHERE DATE(created) = $1::date)",
    [today],
  );
  done.push(`postgres: tables magic, technology; ${rowCount ? "inserted" : "kept"} a row for ${today} in magic`);
  const container = blobService("wasb_default").getContainerClient(SENSOR_CONTAINER);
  await container.createIfNotExists();
  // The scenario is the demo's: blobs under the other sensors' prefixes (left by earlier runs or
  // tests) are removed so those sensors soft-fail as intended.
  for (const prefix of ["notexistblob", "not_exist_blob", "some_blob"]) {
    for await (const b of container.listBlobsFlat({ prefix })) await container.deleteBlob(b.name);
  }
  const text = "id,amount\n1,100\n";
  await container.getBlockBlobClient("sensor/demo.csv").upload(text, Buffer.byteLength(text));
  done.push(`blob: ${SENSOR_CONTAINER}/sensor/demo.csv`);
  return done;
}
