import { test } from "node:test";
import assert from "node:assert/strict";
import { operatorNames } from "../../../functions/activities";
import type { CompiledDag } from "../../../orchestrations/runtime/model/compiled-dag";
import { bash, dag, kafkaProduce, postgresCopy, python, sparkSubmit, sql, triggerDagRun } from "../../../orchestrations/runtime";
import { applyLocalAppSettings } from "../../../tools/services/app-env";
import { serviceSettings } from "../../../tools/services/settings";
import { OPERATOR_CONNECTION_FIELDS, connectionNeeds, dagNeeds, ledgerNeeds, storageEndpoints } from "../../../tools/dagrun/service-needs";

const s = serviceSettings({ AZFLOW_AZURITE_BLOB_PORT: "20000", AZFLOW_AZURITE_QUEUE_PORT: "20001", AZFLOW_AZURITE_TABLE_PORT: "20002", AZFLOW_POSTGRES_PORT: "25432", AZFLOW_KAFKA_PORT: "29092" });
/** The settings the local runtime applies on these ports. */
function localEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...extra };
  applyLocalAppSettings(s, env);
  return env;
}

test("every registered operator's connection fields are known, so a new operator cannot be forgotten", () => {
  assert.deepEqual(operatorNames().filter((name) => !(name in OPERATOR_CONNECTION_FIELDS)), []);
});

test("the ledger needs Azurite only when AzureWebJobsStorage is the local one", () => {
  assert.deepEqual(ledgerNeeds(s, localEnv()), [{ service: "azurite", reason: "the run ledger" }]);
  const account = "DefaultEndpointsProtocol=https;AccountName=prod;AccountKey=a2V5;EndpointSuffix=core.windows.net";
  assert.deepEqual(ledgerNeeds(s, localEnv({ AzureWebJobsStorage: account })), []);
  // UseDevelopmentStorage=true is Azurite on its default ports: ours only when ours are the defaults.
  assert.equal(storageEndpoints("UseDevelopmentStorage=true").length, 3);
  assert.deepEqual(ledgerNeeds(s, { AzureWebJobsStorage: "UseDevelopmentStorage=true" }), []);
  assert.deepEqual(ledgerNeeds(serviceSettings({}), { AzureWebJobsStorage: "UseDevelopmentStorage=true" }), [{ service: "azurite", reason: "the run ledger" }]);
});

test("a connection needs the local service whose port it points at, on loopback only", () => {
  const env = localEnv({
    AIRFLOW_CONN_REMOTE_PG: "postgres://u:p@db.example.com:25432/x",
    AIRFLOW_CONN_LOCAL_PG: "postgresql://u:p@localhost:25432/x",
    AIRFLOW_CONN_LOCAL_SPARK: JSON.stringify({ conn_type: "spark", host: "local[*]" }),
    AIRFLOW_CONN_BROKERS: JSON.stringify({ conn_type: "kafka", extra: { "bootstrap.servers": "127.0.0.1:29092,127.0.0.1:29093" } }),
  });
  assert.deepEqual(connectionNeeds("postgres_default", s, env), [{ service: "postgres", reason: "connection postgres_default" }]);
  assert.deepEqual(connectionNeeds("local_pg", s, env).map((n) => n.service), ["postgres"]);
  assert.deepEqual(connectionNeeds("remote_pg", s, env), []);
  assert.deepEqual(connectionNeeds("wasb_default", s, env).map((n) => n.service), ["azurite"]);
  assert.deepEqual(connectionNeeds("kafka_default", s, env).map((n) => n.service), ["kafka"]);
  assert.deepEqual(connectionNeeds("brokers", s, env).map((n) => n.service), ["kafka"]);
  assert.deepEqual(connectionNeeds("local_spark", s, env).map((n) => n.service), ["spark"]);
  assert.deepEqual(connectionNeeds("not_defined", s, env), []);
});

test("a DAG needs what its tasks' connections point at: named ones, operator defaults, python's Postgres, and the DAGs it triggers", () => {
  const env = localEnv({ AIRFLOW_CONN_WAREHOUSE: "postgres://u:p@warehouse.example.com:5432/x" });
  const registry = new Map<string, CompiledDag>();
  const add = (compiled: CompiledDag) => {
    registry.set(compiled.dagId, compiled);
    return compiled;
  };
  const services = (d: CompiledDag, taskIds?: string[]) =>
    [...new Set(dagNeeds([{ dag: d, taskIds }], (id) => registry.get(id), s, env).map((n) => n.service))].sort();

  const shellOnly = add(dag({ dagId: "shell_only", schedule: null, startDate: "2024-01-01", tasks: (t) => void t.task("a", bash({ command: "true" })) }));
  assert.deepEqual(services(shellOnly), []);
  const remoteSql = add(dag({ dagId: "remote_sql", schedule: null, startDate: "2024-01-01", tasks: (t) => void t.task("q", sql({ conn_id: "warehouse", sql: "SELECT 1" })) }));
  assert.deepEqual(services(remoteSql), []);
  const copy = add(dag({
    dagId: "copy", schedule: null, startDate: "2024-01-01",
    tasks: (t) => {
      t.chain(t.task("load", postgresCopy({ conn_id: "warehouse", table: "t", container: "c", blob: "b.csv" })), t.task("emit", kafkaProduce({ topic: "x", messages: [] })));
    },
  }));
  assert.deepEqual(services(copy), ["azurite", "kafka"], "the blob side defaults to wasb_default; the table is remote");
  assert.deepEqual(services(copy, ["load"]), ["azurite"], "tasks test needs only its task's");
  const parent = add(dag({ dagId: "parent", schedule: null, startDate: "2024-01-01", tasks: (t) => void t.task("go", triggerDagRun({ trigger_dag_id: "child" })) }));
  add(dag({ dagId: "child", schedule: null, startDate: "2024-01-01", tasks: (t) => void t.task("work", python("child.work")) }));
  assert.deepEqual(services(parent), ["postgres"], "the triggered DAG's python task");
  const job = add(dag({
    dagId: "job", schedule: null, startDate: "2024-01-01",
    tasks: (t) => void t.task("spark", sparkSubmit({ application: "jobs/x.py", conn_ids: ["postgres_default", "{{ params.conn }}"] })),
  }));
  assert.deepEqual(services(job), ["postgres", "spark"], "the local Spark master, and the connections handed to the job");
});
