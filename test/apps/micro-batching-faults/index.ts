// A test app for the micro-batching fault tests: a load from a broker that is down and a Spark
// job that fails, each with one retry, so the tests see the failure named and retried; with the
// REST API, to end a run whose Spark job still runs.
import "../../../functions/activities";
import "../../../functions/http/api";
import "../../../functions/callables/micro-batching-load-data";
import { registerDag } from "../../../functions/register-dag";
import { dag, kafkaLoad, sparkSubmit } from "../../../orchestrations/runtime";

registerDag(dag({
  dagId: "mb_fault_load",
  schedule: null,
  defaultArgs: { retries: 1, retryDelay: "2s" },
  tasks: (t) => {
    t.task("load_batches", kafkaLoad({
      conn_id: "kafka_unreachable", topic: "micro_batching_logs", schema: "micro_batching.user_activity", table: "logs",
      dead_letter_container: "micro-batching",
    }));
  },
}));

registerDag(dag({
  dagId: "mb_fault_spark",
  schedule: null,
  defaultArgs: { retries: 1, retryDelay: "2s" },
  tasks: (t) => {
    t.task("spark_job", sparkSubmit({ application: "{{ dag_run.conf.get('app') }}", application_args: ["{{ run_id }}"], poke_interval: 2 }));
  },
}));
