// Which state stands for several instances (a mapped task, a task group) in the grid and graph:
// the first present in Airflow's airflow.www.utils.priority.

export const STATE_PRIORITY: readonly (string | null)[] = [
  "failed", "upstream_failed", "up_for_retry", "up_for_reschedule", "queued", "scheduled", "deferred", "running", "restarting", null, "success", "skipped", "removed",
];

export function summaryState(states: Iterable<string | null>): string | null {
  const present = new Set(states);
  return STATE_PRIORITY.find((s) => present.has(s)) ?? null;
}
