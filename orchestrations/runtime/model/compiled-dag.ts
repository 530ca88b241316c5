import type { JsonObject, JsonValue } from "./json";
import type { CompiledSchedule } from "../time/schedule";
import type { TriggerRule } from "../rules/trigger-rules";

// The compiled DAG: plain JSON data, validated, with every duration in seconds and every default
// applied. The generic orchestrator runs it; the REST API serialises a summary of it.
export type TaskKind = "operator" | "branch" | "sensor";

export interface RetryPolicy {
  /** Retries after the first attempt (total attempts = retries + 1). */
  readonly retries: number;
  readonly retryDelaySeconds: number;
  readonly exponentialBackoff: boolean;
  readonly maxRetryDelaySeconds: number | null;
}

export type SensorMode = "poke" | "reschedule";

export interface SensorPolicy {
  readonly pokeIntervalSeconds: number;
  readonly timeoutSeconds: number;
  readonly mode: SensorMode;
  /** On timeout: SKIPPED instead of FAILED. */
  readonly softFail: boolean;
  readonly exponentialBackoff: boolean;
  readonly maxWaitSeconds: number | null;
  /** An exception in poke counts as "not done yet". */
  readonly silentFail: boolean;
  /** An exception in poke (or a timeout) marks the sensor SKIPPED. */
  readonly neverFail: boolean;
}

/**
 * Dynamic task mapping. `expand`: each argument is a literal list/dict or an XCom reference
 * ({"$xcom": {taskId, key}}); instances are the cross product, last argument varying fastest.
 * `expand_kwargs`: one literal list of dicts or an XCom reference to one.
 * The task's config holds the constant (partial) arguments.
 */
export type MappingSpec =
  | { readonly kind: "expand"; readonly args: { readonly [name: string]: JsonValue } }
  | { readonly kind: "expand_kwargs"; readonly source: JsonValue };

export interface TaskCallbacks {
  readonly onSuccess: readonly string[];
  readonly onFailure: readonly string[];
  readonly onRetry: readonly string[];
}

export interface CompiledTask {
  readonly taskId: string;
  readonly kind: TaskKind;
  readonly operator: string;
  readonly config: JsonValue;
  readonly upstream: readonly string[];
  readonly downstream: readonly string[];
  readonly triggerRule: TriggerRule;
  readonly retry: RetryPolicy;
  readonly executionTimeoutSeconds: number | null;
  readonly sensor: SensorPolicy | null;
  readonly mapping: MappingSpec | null;
  readonly dependsOnPast: boolean;
  readonly slaSeconds: number | null;
  /** A setup task (counts for all_done_setup_success). */
  readonly isSetup: boolean;
  /** The innermost task group, or null at the top level. */
  readonly groupId: string | null;
  readonly params: JsonObject;
  readonly callbacks: TaskCallbacks;
  readonly doc: string | null;
}

export interface CompiledGroup {
  readonly groupId: string;
  readonly taskIds: readonly string[];
  /** Tasks of the group with no upstream inside the group (a branch to the group follows these). */
  readonly roots: readonly string[];
  readonly leaves: readonly string[];
}

export interface CompiledDag {
  readonly dagId: string;
  readonly description: string | null;
  readonly schedule: CompiledSchedule;
  /** A blob under a watched prefix starts the day's run (DagDefinition.startOnBlob). */
  readonly startOnBlob: boolean;
  /** ISO 8601 UTC instants. */
  readonly startDate: string | null;
  readonly endDate: string | null;
  readonly catchup: boolean;
  readonly maxActiveRuns: number;
  readonly dagrunTimeoutSeconds: number | null;
  readonly params: JsonObject;
  readonly tags: readonly string[];
  readonly callbacks: { readonly onSuccess: readonly string[]; readonly onFailure: readonly string[] };
  readonly tasks: { readonly [taskId: string]: CompiledTask };
  /** Task ids in a topological order, ties in definition order. */
  readonly taskOrder: readonly string[];
  readonly roots: readonly string[];
  readonly leaves: readonly string[];
  readonly groups: { readonly [groupId: string]: CompiledGroup };
  /** What the definition uses that Airflow deprecates (reported when the DAG is registered). */
  readonly warnings: readonly string[];
}
