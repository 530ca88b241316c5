// Micro-batching, step 2, every 20 seconds: produce a batch of user-activity messages, then start
// the day's load once. The branch reads the run ledger (did trigger_load_data succeed today?), so
// however often this DAG runs, micro_batching_load_data is triggered once a day.
import { MICRO_BATCHING as MB } from "./micro_batching";
import { dag, empty, kafkaProduce, oncePerDayBranch, triggerDagRun } from "./runtime";

export default dag({
  dagId: "micro_batching_generate_data",
  schedule: { every: "20s" },
  startDate: "2024-09-14",
  catchup: false,
  maxActiveRuns: 1,
  params: { messages: 50 },
  defaultArgs: { executionTimeout: "65s" },
  tags: ["micro-batching", "generate-data"],
  tasks: (t) => {
    const start = t.task("start", empty());
    const produce = t.task("produce_messages", kafkaProduce({
      topic: MB.topic,
      generator: "micro_batching.user_activity",
      generator_args: { count: "{{ params.messages }}", seed: "{{ run_id }}" },
      batch_size: 500,
    }));
    const decide = t.branch("check_and_trigger_dag", oncePerDayBranch({
      task_id: "trigger_load_data", follow: "trigger_load_data", otherwise: "skip",
    }));
    const skip = t.task("skip", empty());
    const triggerLoad = t.task("trigger_load_data", triggerDagRun({
      trigger_dag_id: "micro_batching_load_data",
      // One load run per day: a second trigger the same day finds it and is skipped.
      trigger_run_id: "triggered__{{ ds }}",
      logical_date: "{{ ds }}",
      skip_when_already_exists: true,
    }));
    start.then(produce).then(decide).then([skip, triggerLoad]);
  },
});
