import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { test } from "node:test";
import { Kafka, logLevel } from "kafkajs";
import { Client } from "pg";
import { kafkaBrokers, needService, pgConfig, sparkCommand, sparkSubmit, uniqueName } from "../../support/services";

// Reads a CSV, aggregates it, and writes the result three ways: JSON files, a Postgres table over
// JDBC and a Kafka topic, so the jars on --jars are exercised as well as Spark itself.
const JOB = `
import os, sys
from pyspark.sql import SparkSession, functions as F
src, out, jdbc_url, table, brokers, topic = sys.argv[1:7]
spark = SparkSession.builder.appName("azflow-test").getOrCreate()
spark.sparkContext.setLogLevel("ERROR")
totals = (spark.read.option("header", True).option("inferSchema", True).csv(src)
          .groupBy("city").agg(F.sum("amount").alias("total"), F.count("*").alias("n")).orderBy("city"))
totals.coalesce(1).write.mode("overwrite").json(out)
(totals.write.format("jdbc").mode("overwrite")
   .option("url", jdbc_url).option("dbtable", table).option("driver", "org.postgresql.Driver")
   .option("user", os.environ["AZFLOW_TEST_PG_USER"]).option("password", os.environ["AZFLOW_TEST_PG_PASSWORD"]).save())
(totals.select(F.col("city").alias("key"), F.to_json(F.struct("city", "total", "n")).alias("value"))
   .write.format("kafka").option("kafka.bootstrap.servers", brokers).option("topic", topic).save())
print("JOB_DONE rows=%d" % totals.count())
spark.stop()
`;

const CSV = ["city,amount", "Oslo,10", "Lima,5", "Oslo,7", "Pune,1", "Lima,2", "Oslo,3"].join("\n") + "\n";
const EXPECTED = [
  { city: "Lima", total: 7, n: 2 },
  { city: "Oslo", total: 20, n: 3 },
  { city: "Pune", total: 1, n: 1 },
];

test("spark-submit builds a command with the cached jars and the local master", () => {
  const cmd = sparkCommand({ app: "job.py", appArgs: ["a"], conf: { "spark.executor.cores": "1" } });
  assert.match(cmd.command, /spark-submit$/);
  const jars = cmd.args[cmd.args.indexOf("--jars") + 1] ?? "";
  assert.match(jars, /postgresql-[\d.]+\.jar/);
  assert.match(jars, /spark-sql-kafka-0-10_2\.12-3\.5\.7\.jar/);
  assert.doesNotMatch(jars, /scala-library|spark-core/);
  assert.ok(cmd.args.includes("spark.executor.cores=1"));
  assert.deepEqual(cmd.args.slice(-2), ["job.py", "a"]);
});

test("spark-submit runs a PySpark job that reads a file and writes to files, Postgres and Kafka", { timeout: 300_000 }, async (t) => {
  if (!(await needService(t, "spark"))) return;
  if (!(await needService(t, "postgres"))) return;
  if (!(await needService(t, "kafka"))) return;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "azflow-spark-"));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  fs.writeFileSync(path.join(dir, "sales.csv"), CSV);
  fs.writeFileSync(path.join(dir, "job.py"), JOB);
  const table = uniqueName("spark_totals_");
  const topic = uniqueName("azflow-spark-");
  const pg = pgConfig();
  const out = path.join(dir, "out");

  // The password travels in the environment, not on the command line.
  process.env.AZFLOW_TEST_PG_USER = pg.user;
  process.env.AZFLOW_TEST_PG_PASSWORD = String(pg.password);
  const run = await sparkSubmit({
    app: path.join(dir, "job.py"),
    appArgs: [path.join(dir, "sales.csv"), out, `jdbc:postgresql://${pg.host}:${pg.port}/${pg.database}`, table, kafkaBrokers().join(","), topic],
    name: "azflow-test",
  });
  delete process.env.AZFLOW_TEST_PG_PASSWORD;
  assert.equal(run.code, 0, run.stderr.slice(-3000));
  assert.match(run.stdout, /JOB_DONE rows=3/);

  const part = fs.readdirSync(out).find((f) => f.startsWith("part-") && f.endsWith(".json"));
  assert.ok(part, "the job wrote a JSON part file");
  const fromFile = fs.readFileSync(path.join(out, part), "utf8").trim().split("\n").map((l) => JSON.parse(l) as unknown);
  assert.deepEqual(fromFile, EXPECTED);

  const client = new Client(pg);
  await client.connect();
  try {
    const { rows } = await client.query(`SELECT city, total::int AS total, n::int AS n FROM ${client.escapeIdentifier(table)} ORDER BY city`);
    assert.deepEqual(rows, EXPECTED);
    await client.query(`DROP TABLE ${client.escapeIdentifier(table)}`);
  } finally {
    await client.end();
  }

  const admin = new Kafka({ brokers: kafkaBrokers(), logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  try {
    const offsets = await admin.fetchTopicOffsets(topic);
    assert.equal(offsets.reduce((sum, p) => sum + Number(p.high), 0), EXPECTED.length);
    await admin.deleteTopics({ topics: [topic] });
  } finally {
    await admin.disconnect();
  }
});
