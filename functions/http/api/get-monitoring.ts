// GET /api/v1/health and /api/v1/version (Airflow's Monitoring endpoints). Health is anonymous, as
// Airflow's is: the metadatabase is the run ledger (a real round trip to Table Storage); the
// scheduler is this host's timers and Durable, healthy when the host answers; azflow has no
// triggerer or DAG processor (status null, as Airflow reports components that never ran).
import type { HttpResponseInit, InvocationContext } from "@azure/functions";
import { airflowIso } from "../../../orchestrations/runtime/time/time";
import { appRunLedger } from "../../runs/app-run-ledger";
import { apiRoute } from "./api-route";

/** The Airflow API version whose contract azflow serves. */
export const AIRFLOW_API_VERSION = "2.10.5";

export async function getHealth(_request: unknown, context: InvocationContext): Promise<HttpResponseInit> {
  let database: "healthy" | "unhealthy" = "healthy";
  try {
    await appRunLedger().getDagRun("azflow_health", "probe");
  } catch (err) {
    context.warn(`Health: the run ledger is not reachable: ${(err as Error).message.split("\n")[0]}`);
    database = "unhealthy";
  }
  return {
    status: 200,
    jsonBody: {
      metadatabase: { status: database },
      scheduler: { status: database, latest_scheduler_heartbeat: airflowIso(Date.now()) },
      triggerer: { status: null, latest_triggerer_heartbeat: null },
      dag_processor: { status: null, latest_dag_processor_heartbeat: null },
    },
  };
}

export async function getVersion(): Promise<HttpResponseInit> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const pkg = require("../../../../package.json") as { version: string };
  return { status: 200, jsonBody: { version: AIRFLOW_API_VERSION, git_version: `azflow-${pkg.version}` } };
}

apiRoute("api_get_health", "GET", "health", getHealth, { anonymous: true });
apiRoute("api_get_version", "GET", "version", getVersion);
