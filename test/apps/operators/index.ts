// A test app for the integration tests of the operators against the local services: HTTP (a
// local server the test starts), Blob Storage (Azurite), COPY into Postgres, Kafka, the time-delta
// and external-task sensors, and TriggerDagRun. Containers are unique per process because the
// blob operators do not template their container fields; blobs, tables, topics and run ids come
// from dag_run.conf so each test picks fresh ones.
import "../../../functions/activities";
import { registerCallable } from "../../../functions/activities/callable";
import { registerMessageGenerator } from "../../../functions/activities/kafka-produce";
import { registerDag } from "../../../functions/register-dag";
import {
  blobCopy, blobCreateContainers, blobList, blobMove, blobPrefixSensor, blobUpload, dag, externalTaskSensor, http, httpSensor, httpToBlob,
  kafkaProduce, parquetize, postgresCopy, postgresCopyJson, postgresLoadParquet, python, timeDeltaSensor, triggerDagRun,
} from "../../../orchestrations/runtime";

const suffix = `${process.pid.toString(36)}${Date.now().toString(36)}`;
/** Containers of this process (Azurite keeps earlier runs' containers). */
export const SRC_CONTAINER = `ops-src-${suffix}`;
export const DST_CONTAINER = `ops-dst-${suffix}`;
export const CSV_CONTAINER = `ops-csv-${suffix}`;

const conf = (key: string): string => `{{ dag_run.conf.get('${key}') }}`;

/** Every child task run: which run, with which conf. */
export const childRuns: { dagId: string; runId: string; conf: Record<string, unknown> }[] = [];

registerCallable("ops.child", (kwargs, ctx) => {
  childRuns.push({ dagId: ctx.dagId, runId: ctx.runId, conf: (ctx.templateContext.dag_run as { conf: Record<string, unknown> }).conf });
  if (kwargs.fail === "yes") throw new Error("child told to fail");
  return "child done";
});

registerMessageGenerator("ops.numbers", function* numbers(args) {
  const count = Number(args.count);
  for (let n = 1; n <= count; n++) yield { n, key: `k${n % 3}`, square: n * n };
});

// ---- HTTP -------------------------------------------------------------------------------------

registerDag(dag({
  dagId: "ops_http",
  schedule: null,
  startDate: "2024-01-01",
  tasks: (t) => {
    t.task("get_json", http({ conn_id: "fake_api", endpoint: "items/{{ dag_run.conf.get('id') }}", data: { q: conf("q") } }));
    t.task("post_data", http({ conn_id: "fake_api", endpoint: "items", method: "POST", data: { name: conf("name"), n: 3 }, headers: { "X-Run": "{{ run_id }}" } }));
    t.task("get_text", http({ conn_id: "fake_api", endpoint: "plain" }));
    t.task("not_found", http({ conn_id: "fake_api", endpoint: "missing" }));
    t.task("server_error", http({ conn_id: "fake_api", endpoint: "broken", method: "POST", data: {} }));
  },
}));

registerDag(dag({
  dagId: "ops_http_sensor",
  schedule: null,
  startDate: "2024-01-01",
  tasks: (t) => {
    t.sensor("ready", httpSensor({ conn_id: "fake_api", endpoint: "ready/{{ dag_run.conf.get('key') }}" }), { pokeInterval: "30s", timeout: "10m" });
    t.sensor("broken", httpSensor({ conn_id: "fake_api", endpoint: "broken" }), { pokeInterval: "30s", timeout: "10m" });
  },
}));

// ---- Blob Storage -----------------------------------------------------------------------------

registerDag(dag({
  dagId: "ops_blob",
  schedule: null,
  startDate: "2024-01-01",
  tasks: (t) => {
    const create = t.task("create", blobCreateContainers({ containers: [SRC_CONTAINER, DST_CONTAINER] }));
    const fromData = t.task("upload_data", blobUpload({ container: SRC_CONTAINER, blob: `${conf("run")}/a/data.json`, data: { hello: conf("run") } }));
    const fromFile = t.task("upload_file", blobUpload({ container: SRC_CONTAINER, blob: `${conf("run")}/b/big.bin`, file: conf("file") }));
    const list = t.task("list", blobList({ container: SRC_CONTAINER, prefix: [`${conf("run")}/a/`, `${conf("run")}/b/`] }));
    const listOne = t.task("list_one", blobList({ container: SRC_CONTAINER, prefix: `${conf("run")}/b/` }));
    const copy = t.task("copy", blobCopy({ source_container: SRC_CONTAINER, source_blob: `${conf("run")}/a/data.json`, dest_container: DST_CONTAINER, dest_blob: `${conf("run")}/copied.json` }));
    const move = t.task("move", blobMove({ source_container: SRC_CONTAINER, source_blob: `${conf("run")}/b/big.bin`, dest_container: DST_CONTAINER, dest_blob: `${conf("run")}/moved.bin` }));
    create.then([fromData, fromFile]);
    t.list(fromData, fromFile).then([list, listOne]);
    t.list(list, listOne).then([copy, move]);
  },
}));

/** A move on its own, run twice to stand for a rerun after a crash between copy and delete. */
registerDag(dag({
  dagId: "ops_blob_move",
  schedule: null,
  startDate: "2024-01-01",
  tasks: (t) => {
    t.task("move", blobMove({ source_container: SRC_CONTAINER, source_blob: conf("source"), dest_container: DST_CONTAINER, dest_blob: conf("dest") }));
  },
}));

/** Every operator and sensor that takes a blob name or prefix, each given the same templated one. */
registerDag(dag({
  dagId: "ops_blob_names",
  schedule: null,
  startDate: "2024-01-01",
  tasks: (t) => {
    const name = conf("name");
    t.task("upload", blobUpload({ container: SRC_CONTAINER, blob: name, data: "stolen" }));
    t.task("list", blobList({ container: SRC_CONTAINER, prefix: name }));
    t.task("copy", blobCopy({ source_container: SRC_CONTAINER, source_blob: "x.txt", dest_container: SRC_CONTAINER, dest_blob: name }));
    t.task("move", blobMove({ source_container: SRC_CONTAINER, source_blob: name, dest_container: SRC_CONTAINER, dest_blob: "y.txt" }));
    t.sensor("sense", blobPrefixSensor({ container: SRC_CONTAINER, prefix: name }), { pokeInterval: "10s", timeout: "1m" });
    t.task("http_to_blob", httpToBlob({ conn_id: "ops_api", endpoint: "json", container: SRC_CONTAINER, blob: name }));
    t.task("parquetize", parquetize({ container: SRC_CONTAINER, blob: "in.csv", dest_blob: name, columns: [{ name: "a", type: "int32" }] }));
    t.task("pg_copy", postgresCopy({ table: "ops_names", container: SRC_CONTAINER, blob: name }));
    t.task("pg_copy_json", postgresCopyJson({ table: "ops_names", container: SRC_CONTAINER, blob: name, columns: { a: "a" } }));
    t.task("pg_load_parquet", postgresLoadParquet({ table: "ops_names", container: SRC_CONTAINER, blob: name, partition: { column: "m", value: "x" } }));
  },
}));

// ---- COPY into Postgres -----------------------------------------------------------------------

registerDag(dag({
  dagId: "ops_pg_copy",
  schedule: null,
  startDate: "2024-01-01",
  tasks: (t) => {
    t.task("load", postgresCopy({ table: conf("table"), columns: ["id", "name", "amount"], container: CSV_CONTAINER, blob: conf("blob") }));
  },
}));

registerDag(dag({
  dagId: "ops_pg_copy_pipe",
  schedule: null,
  startDate: "2024-01-01",
  tasks: (t) => {
    t.task("load", postgresCopy({ table: conf("table"), container: CSV_CONTAINER, blob: conf("blob"), delimiter: "|", header: false }));
  },
}));

// ---- Kafka ------------------------------------------------------------------------------------

registerDag(dag({
  dagId: "ops_kafka",
  schedule: null,
  startDate: "2024-01-01",
  tasks: (t) => {
    t.task("from_config", kafkaProduce({
      topic: conf("topic_a"), key_field: "id", batch_size: 2,
      messages: [{ id: "a", v: 1 }, { id: "b", v: 2 }, { id: "c", v: conf("run") }, "plain text"],
    }));
    t.task("from_generator", kafkaProduce({ topic: conf("topic_b"), generator: "ops.numbers", generator_args: { count: conf("count") }, key_field: "key", batch_size: 4 }));
  },
}));

// ---- Sensors ----------------------------------------------------------------------------------

registerDag(dag({
  dagId: "ops_time_delta",
  schedule: null,
  startDate: "2024-01-01",
  tasks: (t) => {
    t.sensor("wait_an_hour", timeDeltaSensor({ delta: "1h" })).then(t.task("after", python("ops.child")));
  },
}));

registerDag(dag({
  dagId: "ops_ext_target",
  schedule: null,
  startDate: "2024-01-01",
  tasks: (t) => {
    t.task("work", python("ops.child", { fail: "{{ dag_run.conf.get('fail', 'no') }}" }));
  },
}));

registerDag(dag({
  dagId: "ops_ext_sensor",
  schedule: null,
  startDate: "2024-01-01",
  tasks: (t) => {
    t.sensor("wait_dag", externalTaskSensor({ external_dag_id: "ops_ext_target", failed_states: ["failed"] }), { pokeInterval: "1m", timeout: "5m" });
    t.sensor("wait_task", externalTaskSensor({ external_dag_id: "ops_ext_target", external_task_id: "work", failed_states: ["failed"] }), { pokeInterval: "1m", timeout: "5m" });
  },
}));

// ---- TriggerDagRun ----------------------------------------------------------------------------

registerDag(dag({
  dagId: "ops_child",
  schedule: null,
  startDate: "2024-01-01",
  tasks: (t) => {
    t.task("work", python("ops.child", { fail: "{{ dag_run.conf.get('fail', 'no') }}" }));
  },
}));

registerDag(dag({
  dagId: "ops_trigger_wait",
  schedule: null,
  startDate: "2024-01-01",
  tasks: (t) => {
    t.task("trigger", triggerDagRun({
      trigger_dag_id: "ops_child", trigger_run_id: conf("child_run_id"), conf: { fail: conf("child_fail") },
      wait_for_completion: true, poke_interval: 20, failed_states: ["failed"],
    }));
  },
}));

registerDag(dag({
  dagId: "ops_trigger_twice",
  schedule: null,
  startDate: "2024-01-01",
  tasks: (t) => {
    const first = t.task("first", triggerDagRun({ trigger_dag_id: "ops_child", trigger_run_id: conf("child_run_id"), conf: { n: 1 }, wait_for_completion: true, poke_interval: 10 }));
    const skipped = t.task("again_skip", triggerDagRun({ trigger_dag_id: "ops_child", trigger_run_id: conf("child_run_id"), conf: { n: 2 }, skip_when_already_exists: true }));
    const reset = t.task("again_reset", triggerDagRun({
      trigger_dag_id: "ops_child", trigger_run_id: conf("child_run_id"), conf: { n: 3 }, reset_dag_run: true, wait_for_completion: true, poke_interval: 10,
    }), { triggerRule: "all_done" }); // runs after the skip
    first.then(skipped);
    skipped.then(reset);
  },
}));
