// A ledger run as the API's DAGRun object (Airflow 2.10 v1 schema). A conf stored in blob storage
// (too large for the ledger) is read back here, so clients see the conf they sent.
import { loadXCom } from "../../activities/xcom-store";
import type { DagRunRecord } from "../../ledger/records";
import { apiDate } from "./api-dates";

export interface DagRunResource {
  dag_run_id: string;
  dag_id: string;
  logical_date: string | null;
  execution_date: string | null;
  start_date: string | null;
  end_date: string | null;
  data_interval_start: string | null;
  data_interval_end: string | null;
  last_scheduling_decision: string | null;
  run_type: string;
  state: string;
  external_trigger: boolean;
  conf: Record<string, unknown>;
  note: string | null;
}

export async function runConf(run: DagRunRecord): Promise<Record<string, unknown>> {
  return (await loadXCom(run.conf)) as Record<string, unknown>;
}

export async function dagRunResource(run: DagRunRecord): Promise<DagRunResource> {
  const logicalDate = apiDate(run.logical_date);
  return {
    dag_run_id: run.dag_run_id,
    dag_id: run.dag_id,
    logical_date: logicalDate,
    // The pre-2.2 name of logical_date, still returned for old clients.
    execution_date: logicalDate,
    start_date: apiDate(run.start_date),
    end_date: apiDate(run.end_date),
    data_interval_start: apiDate(run.data_interval_start),
    data_interval_end: apiDate(run.data_interval_end),
    last_scheduling_decision: null,
    run_type: run.run_type,
    state: run.state,
    external_trigger: run.external_trigger,
    conf: await runConf(run),
    note: run.note,
  };
}
