/** A DAG definition that cannot run; the message names the DAG and, where there is one, the task. */
export class DagDefinitionError extends Error {
  override name = "DagDefinitionError";
  constructor(readonly dagId: string, readonly taskId: string | null, problem: string) {
    super(`DAG '${dagId}'${taskId === null ? "" : `, task '${taskId}'`}: ${problem}`);
  }
}
