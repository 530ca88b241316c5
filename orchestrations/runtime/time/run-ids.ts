import { stableHashHex } from "../rules/stable-hash";
import { airflowIso, InstantInput, parseInstant } from "./time";

// Airflow's run ids and the Durable instance id derived from (dag_id, run_id). Starting an
// orchestration under an id that exists is refused, so deriving the id makes a duplicate firing
// of a timer (or a retried HTTP trigger) a no-op.
export type RunType = "scheduled" | "manual" | "backfill" | "dataset_triggered";

/** `<run_type>__<logical_date ISO>`, e.g. scheduled__2023-01-01T00:00:00+00:00. */
export function runIdFor(runType: RunType, logicalDate: InstantInput): string {
  return `${runType}__${airflowIso(parseInstant(logicalDate))}`;
}

/** Instance ids may not contain / \ # ? or control characters; we keep a conservative set. */
const SAFE = /^[A-Za-z0-9._:+@-]+$/;
const UNSAFE_CHAR = /[^A-Za-z0-9._:+@-]/g;
export const MAX_INSTANCE_ID_LENGTH = 256;

/**
 * `<dag_id>:<run_id>` when that is safe as is. Otherwise unsafe characters become "_" and a hash
 * of the original pair is appended, so two run ids that differ only in unsafe characters still get
 * different instance ids; over-long ids are cut and keep the hash.
 */
export function instanceIdFor(dagId: string, runId: string): string {
  const plain = `${dagId}:${runId}`;
  if (SAFE.test(plain) && plain.length <= MAX_INSTANCE_ID_LENGTH) return plain;
  const suffix = `~${stableHashHex(plain)}`;
  return plain.replace(UNSAFE_CHAR, "_").slice(0, MAX_INSTANCE_ID_LENGTH - suffix.length) + suffix;
}
