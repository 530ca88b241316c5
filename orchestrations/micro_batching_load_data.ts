// Micro-batching, step 3, once a day: drain the topic into the sink the `sink` param names
// (Postgres table `logs` by default, or batch files under input_<ds>/ as json, csv or parquet;
// the seed picked one at random per batch), invalid messages to the dead-letter. 30 s after the
// start, and once the load is done, trigger the transformation. `loader: "spark"` runs the PySpark
// loader on the Spark cluster instead of the Functions-native one; the sinks are the same.
import { MICRO_BATCHING as MB } from "./micro_batching";
import { dag, empty, kafkaLoad, sparkSubmit, timeDeltaSensor, triggerDagRun } from "./runtime";

export default dag({
  dagId: "micro_batching_load_data",
  schedule: "@daily",
  startDate: "2024-09-17",
  catchup: false,
  params: {
    sink: "postgres", format: "json", loader: "functions", max_batch_records: 10000,
    // Where the Spark loader keeps its checkpoint and writes files (abfss://... on Synapse).
    spark_checkpoint: ".local/spark-checkpoints/micro_batching_logs", spark_output_path: ".local/spark-output/micro-batching",
  },
  defaultArgs: { retries: 2, retryDelay: "30s" },
  tags: ["micro-batching", "load-data"],
  tasks: (t) => {
    const start = t.task("start", empty());
    const load = t.task("load_batches", kafkaLoad({
      topic: MB.topic,
      schema: MB.schema,
      loader: "{{ params.loader }}",
      sink: "{{ params.sink }}",
      table: MB.logsTable,
      container: MB.dataContainer,
      prefix: "input_{{ ds }}",
      format: "{{ params.format }}",
      dead_letter_container: MB.dataContainer,
      dead_letter_prefix: "dead_letter/input_{{ ds }}",
      max_batch_records: "{{ params.max_batch_records }}",
      checkpoint_location: "{{ params.spark_checkpoint }}",
      output_path: "{{ params.spark_output_path }}",
      spark: sparkSubmit({
        application: "jobs/micro_batching_load_data/load_job.py",
        py_files: ["jobs/common/azflow_job.py"],
        conn_ids: ["kafka_default", "postgres_default", "wasb_default"],
        driver_memory: "1g",
        poke_interval: 10,
      }).config,
    }), { executionTimeout: "10m" });
    const wait = t.sensor("wait_30_seconds", timeDeltaSensor({ delta: "30s" }), { mode: "reschedule" });
    const triggerTransform = t.task("trigger_transform_data", triggerDagRun({
      trigger_dag_id: "micro_batching_transform_data",
      trigger_run_id: "triggered__{{ ds }}",
      logical_date: "{{ ds }}",
      skip_when_already_exists: true,
    }), { triggerRule: "none_failed_min_one_success" });
    start.then(load);
    start.then(wait).then(triggerTransform);
    // The seed started the transformation 30 s after the start whether or not the load had ended.
    load.then(triggerTransform);
  },
});
