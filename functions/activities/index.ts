// Every operator and bookkeeping activity, registered once for all DAGs. Activity names are
// stable (`op_<operator>`, `azflow_*`): in-flight orchestrations replay against them.
import * as df from "durable-functions";
import {
  CALLBACK_ACTIVITY, LEDGER_WRITE_ACTIVITY, operatorActivityName, PREVIOUS_RUN_STATES_ACTIVITY, SCHEDULE_DUE_ACTIVITY, type LedgerWrite,
} from "../../orchestrations/runtime/orchestrator/task-invocation";
import { orchestratorActivity } from "./envelope";
import { bashOperator } from "./bash";
import { copyOperator, createContainersOperator, listOperator, moveOperator, prefixSensor, uploadOperator } from "./blob";
import { previousRunStates, runCallback, scheduleDue, writeLedger } from "./bookkeeping";
import { callableOperator } from "./callable";
import { externalTaskSensor } from "./external-task-sensor";
import { httpOperator, httpSensor } from "./http";
import { httpToBlobOperator } from "./http-to-blob";
import { kafkaLoadOperator } from "./kafka-load";
import { kafkaProduceOperator } from "./kafka-produce";
import { oncePerDayBranch } from "./once-per-day";
import type { OperatorDefinition } from "./operator";
import { parquetizeOperator } from "./parquetize";
import { postgresCopyOperator } from "./postgres-copy";
import { postgresCopyJsonOperator } from "./postgres-copy-json";
import { postgresLoadParquetOperator } from "./postgres-load-parquet";
import { sqlCheckOperator } from "./sql-check";
import { sqlOperator } from "./sql";
import { sparkJobCancelOperator, sparkJobStatusOperator, sparkSubmitOperator } from "./spark-submit";
import { sqlSensor } from "./sql-sensor";
import { taskActivity } from "./task-activity";
import { dagRunStateSensor, triggerDagRunOperator } from "./trigger-dag-run";

export const OPERATORS: readonly OperatorDefinition<never>[] = [
  bashOperator, callableOperator, sqlOperator, sqlSensor, httpOperator, httpSensor,
  createContainersOperator, uploadOperator, listOperator, copyOperator, moveOperator, prefixSensor,
  postgresCopyOperator, kafkaProduceOperator, triggerDagRunOperator, dagRunStateSensor, externalTaskSensor,
  httpToBlobOperator, parquetizeOperator, postgresLoadParquetOperator, postgresCopyJsonOperator, sqlCheckOperator,
  oncePerDayBranch, kafkaLoadOperator, sparkSubmitOperator, sparkJobStatusOperator, sparkJobCancelOperator,
] as unknown as readonly OperatorDefinition<never>[];

export function operatorNames(): string[] {
  return OPERATORS.map((o) => o.name);
}

for (const operator of OPERATORS) {
  df.app.activity(operatorActivityName(operator.name), {
    handler: taskActivity(operator as OperatorDefinition<unknown>),
    // Every activity the orchestrator calls may have to wake it when it ends: the durable client.
    extraInputs: [df.input.durableClient()],
  });
}
const withClient = [df.input.durableClient()];
df.app.activity(LEDGER_WRITE_ACTIVITY, { handler: orchestratorActivity(async (write: LedgerWrite, context) => void (await writeLedger(write, context))), extraInputs: withClient });
df.app.activity(PREVIOUS_RUN_STATES_ACTIVITY, { handler: orchestratorActivity(previousRunStates), extraInputs: withClient });
df.app.activity(CALLBACK_ACTIVITY, { handler: orchestratorActivity(runCallback), extraInputs: withClient });
df.app.activity(SCHEDULE_DUE_ACTIVITY, { handler: orchestratorActivity(scheduleDue), extraInputs: withClient });
