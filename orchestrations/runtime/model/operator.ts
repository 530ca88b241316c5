// A task's operator is a reference by name plus its config; the operator itself is an activity.
// Typed constructors for each operator (bash(), sql(), ...) wrap `operator()` next to the activity.
export interface OperatorRef<C = unknown> {
  readonly operator: string;
  readonly config: C;
}

export function operator<C>(name: string, config: C): OperatorRef<C> {
  return { operator: name, config };
}
