// The REST API (Airflow's stable API v1 subset): importing this registers every route. The
// catch-all that answers unknown routes with Airflow's problem body comes last.
import "./get-dags";
import "./patch-dag";
import "./get-dag-details";
import "./post-dag-run";
import "./get-dag-runs";
import "./get-dag-run";
import "./get-task-instances";
import "./get-task-instance";
import "./get-task-log";
import "./get-xcom-entries";
import "./post-clear-task-instances";
import "./get-dag-stats";
import "./variables";
import "./get-monitoring";
import "./get-openapi";
import "./object/grid-data";
import "./object/graph-data";
import "./unknown-route";

export { registeredApiRoutes } from "./api-route";
