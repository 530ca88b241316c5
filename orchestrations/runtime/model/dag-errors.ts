/**
 * A DAG definition that cannot run. Each problem names the DAG and, where there is one, the task;
 * the message holds every problem found, one per line, so all of them can be fixed at once.
 */
export class DagDefinitionError extends Error {
  override name = "DagDefinitionError";
  /** One line per problem. */
  problems: readonly string[];

  constructor(readonly dagId: string, readonly taskId: string | null, problem: string) {
    super(`DAG '${dagId}'${taskId === null ? "" : `, task '${taskId}'`}: ${problem}`);
    this.problems = [this.message];
  }

  /** Several problems of one DAG as one error, named after the first. */
  static all(errors: readonly DagDefinitionError[]): DagDefinitionError {
    if (errors.length === 1) return errors[0];
    const combined = new DagDefinitionError(errors[0].dagId, errors[0].taskId, "");
    combined.problems = errors.flatMap((e) => e.problems);
    combined.message = combined.problems.join("\n");
    return combined;
  }
}

/** Runs each check, collecting the DagDefinitionErrors they throw; throws them together at the end. */
export class DefinitionProblems {
  private readonly errors: DagDefinitionError[] = [];

  check(body: () => void): boolean {
    try {
      body();
      return true;
    } catch (error) {
      if (!(error instanceof DagDefinitionError)) throw error;
      this.errors.push(error);
      return false;
    }
  }

  add(error: DagDefinitionError): void {
    this.errors.push(error);
  }

  get count(): number {
    return this.errors.length;
  }

  throwIfAny(): void {
    if (this.errors.length) throw DagDefinitionError.all(this.errors);
  }
}
