// Names the four micro-batching DAGs share (seed 000's .env values): the topic, the tables, the
// containers. Plain constants, safe in orchestrator code.
export const MICRO_BATCHING = {
  topic: "micro_batching_logs",
  dataContainer: "micro-batching",
  checkpointContainer: "checkpoint",
  logsTable: "logs",
  transformedTable: "logs_transformed",
  /** The record schema the loaders check messages against (functions/callables/micro-batching-load-data.ts). */
  schema: "micro_batching.user_activity",
} as const;
