// Micro-batching, step 4: two PySpark jobs on the Spark cluster. prepare enriches the rows of
// `logs` still `uploaded` (offline IP geolocation, user agent, age group, time of day) into
// `logs_transformed` and marks them `transformed` in the same transaction; transformation
// overwrites the four aggregate tables (with the seed's two bugs fixed).
import { MICRO_BATCHING as MB } from "./micro_batching";
import { dag, empty, sparkSubmit } from "./runtime";

export default dag({
  dagId: "micro_batching_transform_data",
  schedule: "@daily",
  startDate: "2024-09-16",
  catchup: false,
  defaultArgs: { retries: 1, retryDelay: "30s", executionTimeout: "20m" },
  tags: ["micro-batching", "transform-data"],
  tasks: (t) => {
    const start = t.task("start", empty());
    const prepare = t.task("prepare_data_for_transform_job", sparkSubmit({
      application: "jobs/micro_batching_transform_data/prepare_job.py",
      application_args: ["--source-table", MB.logsTable, "--target-table", MB.transformedTable],
      py_files: ["jobs/common/azflow_job.py"],
      conn_ids: ["postgres_default"],
      driver_memory: "1g",
      poke_interval: 5,
    }));
    const transformation = t.task("transformation_job", sparkSubmit({
      application: "jobs/micro_batching_transform_data/transformation_job.py",
      application_args: ["--source-table", MB.transformedTable],
      py_files: ["jobs/common/azflow_job.py"],
      conn_ids: ["postgres_default"],
      driver_memory: "1g",
      poke_interval: 5,
    }));
    const finish = t.task("finish", empty());
    t.chain(start, prepare, transformation, finish);
  },
});
