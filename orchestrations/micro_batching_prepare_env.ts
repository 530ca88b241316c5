// Micro-batching, step 1: the containers (private: the seed made them publicly readable), the raw
// `logs` table and the transformed tables, then start the generator.
import { MICRO_BATCHING as MB } from "./micro_batching";
import { blobCreateContainers, dag, empty, sql, triggerDagRun } from "./runtime";

export default dag({
  dagId: "micro_batching_prepare_env",
  schedule: "@daily",
  startDate: "2024-09-13",
  catchup: false,
  defaultArgs: { executionTimeout: "65s" },
  tags: ["micro-batching", "prepare-env"],
  tasks: (t) => {
    const start = t.task("start", empty());
    const azure = t.group("prepare_azure_env", (g) => {
      g.task(`create_container_${MB.dataContainer}`, blobCreateContainers({ containers: [MB.dataContainer] }));
      g.task("create_container_checkpoint", blobCreateContainers({ containers: [MB.checkpointContainer] }));
    });
    const logsTable = t.task("create_logs_table", sql({ file: "orchestrations/sql/micro_batching_prepare_env/create_logs_table.sql" }));
    const transformedTables = t.task("create_logs_transformed_tables", sql({
      file: "orchestrations/sql/micro_batching_prepare_env/create_logs_transformed_tables.sql",
    }));
    const triggerGenerate = t.task("trigger_generate_data", triggerDagRun({
      trigger_dag_id: "micro_batching_generate_data",
      conf: { message: "Message to pass to Generate Data Dag." },
    }));
    start.then([azure, logsTable, transformedTables]);
    t.list(azure, logsTable, transformedTables).then(triggerGenerate);
  },
});
