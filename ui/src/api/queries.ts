// The API's reads as React Query hooks. Views that show something still running poll (every
// POLL_MS, conditional GETs: see client.ts) and stop once everything they show has finished.
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { API_ROOT, OBJECT_ROOT, getJson, getText, seg } from "./client";
import type {
  Dag, DagCollection, DagRun, DagRunCollection, DagStats, GraphData, GridData, TaskCollection, TaskInstance, XComCollection, XComEntry,
} from "./types";

export const POLL_MS = 2000;
const ACTIVE_RUN = new Set(["queued", "running"]);
const ACTIVE_TASK = new Set(["running", "queued", "scheduled", "up_for_retry", "up_for_reschedule", "deferred", "restarting"]);

export const dagPath = (dagId: string) => `${API_ROOT}/dags/${seg(dagId)}`;
export const runPath = (dagId: string, runId: string) => `${dagPath(dagId)}/dagRuns/${seg(runId)}`;
export const tiPath = (dagId: string, runId: string, taskId: string, mapIndex: number) =>
  `${runPath(dagId, runId)}/taskInstances/${seg(taskId)}${mapIndex >= 0 ? `/${mapIndex}` : ""}`;

export function useDags(search: string) {
  const pattern = search.trim() ? `&dag_id_pattern=${encodeURIComponent(search.trim())}` : "";
  return useQuery({
    queryKey: ["dags", search],
    queryFn: () => getJson<DagCollection>(`${API_ROOT}/dags?limit=100&order_by=dag_id${pattern}`),
    // While a new search loads, the last list stays (no flash of an empty page).
    placeholderData: keepPreviousData,
    refetchInterval: 10_000,
  });
}

export function useDagStats(dagIds: string[]) {
  return useQuery({
    queryKey: ["dagStats", dagIds],
    queryFn: () => getJson<DagStats>(`${API_ROOT}/dagStats?dag_ids=${dagIds.map(encodeURIComponent).join(",")}`),
    enabled: dagIds.length > 0,
    refetchInterval: 10_000,
  });
}

/** The latest runs of a DAG, newest first (the DAG list's recent-run dots). */
export function useRecentRuns(dagId: string, limit: number) {
  return useQuery({
    queryKey: ["recentRuns", dagId, limit],
    queryFn: () => getJson<DagRunCollection>(`${dagPath(dagId)}/dagRuns?order_by=-execution_date&limit=${limit}`),
    refetchInterval: (q) => (q.state.data?.dag_runs.some((r) => ACTIVE_RUN.has(r.state)) ? POLL_MS : 10_000),
  });
}

export function useDag(dagId: string) {
  return useQuery({ queryKey: ["dag", dagId], queryFn: () => getJson<Dag>(dagPath(dagId)), retry: false, refetchInterval: 15_000 });
}

export function useTasks(dagId: string) {
  return useQuery({ queryKey: ["tasks", dagId], queryFn: () => getJson<TaskCollection>(`${dagPath(dagId)}/tasks`), retry: false, staleTime: 60_000 });
}

export function gridIsActive(data: GridData | undefined): boolean {
  return !!data?.dag_runs.some((r) => ACTIVE_RUN.has(r.state));
}

export function useGridData(dagId: string, numRuns: number) {
  return useQuery({
    queryKey: ["grid", dagId, numRuns],
    queryFn: () => getJson<GridData>(`${OBJECT_ROOT}/grid_data?dag_id=${encodeURIComponent(dagId)}&num_runs=${numRuns}`),
    retry: false,
    refetchInterval: (q) => (gridIsActive(q.state.data) ? POLL_MS : 15_000),
  });
}

export function useGraphData(dagId: string) {
  return useQuery({
    queryKey: ["graph", dagId],
    queryFn: () => getJson<GraphData>(`${OBJECT_ROOT}/graph_data?dag_id=${encodeURIComponent(dagId)}`),
    retry: false,
    staleTime: 60_000,
  });
}

export function useDagRun(dagId: string, runId: string) {
  return useQuery({
    queryKey: ["run", dagId, runId],
    queryFn: () => getJson<DagRun>(runPath(dagId, runId)),
    retry: false,
    refetchInterval: (q) => (q.state.data && ACTIVE_RUN.has(q.state.data.state) ? POLL_MS : false),
  });
}

export function useTaskInstance(dagId: string, runId: string, taskId: string, mapIndex: number) {
  return useQuery({
    queryKey: ["ti", dagId, runId, taskId, mapIndex],
    queryFn: () => getJson<TaskInstance>(tiPath(dagId, runId, taskId, mapIndex)),
    retry: false,
    refetchInterval: (q) => (!q.state.data || q.state.data.state === null || ACTIVE_TASK.has(q.state.data.state) ? POLL_MS : false),
  });
}

export function useTaskLog(dagId: string, runId: string, taskId: string, mapIndex: number, tryNumber: number, live: boolean) {
  const mapped = mapIndex >= 0 ? `&map_index=${mapIndex}` : "";
  return useQuery({
    queryKey: ["log", dagId, runId, taskId, mapIndex, tryNumber],
    queryFn: () => getText(`${tiPath(dagId, runId, taskId, -1)}/logs/${tryNumber}?full_content=true${mapped}`),
    retry: false,
    refetchInterval: live ? POLL_MS : false,
  });
}

export function useXCom(dagId: string, runId: string, taskId: string, mapIndex: number, enabled: boolean) {
  const base = `${tiPath(dagId, runId, taskId, -1)}/xcomEntries`;
  return useQuery({
    queryKey: ["xcom", dagId, runId, taskId, mapIndex],
    enabled,
    retry: false,
    queryFn: async () => {
      const list = await getJson<XComCollection>(`${base}?map_index=${mapIndex}`);
      return Promise.all(list.xcom_entries.map((e) =>
        getJson<XComEntry>(`${base}/${seg(e.key)}?map_index=${mapIndex}&stringify=false`)));
    },
  });
}
