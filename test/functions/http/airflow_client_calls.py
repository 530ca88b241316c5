"""Airflow's official Python client (apache-airflow-client 2.10.0) against azflow's REST API.

Run by airflow-client.test.ts with the host's API URL and the test app's DAG ids. Each client
call's outcome is printed as one JSON line ({"call", "ok", "detail"}); the exit code is non-zero
when any call failed. The client deserialises every answer into its typed models, so a field of
the wrong type or shape fails here as it would for Airflow's users.
"""

import json
import sys
import time
from datetime import datetime, timedelta, timezone

from airflow_client import client
from airflow_client.client.api import (
    dag_api,
    dag_run_api,
    dag_stats_api,
    monitoring_api,
    task_instance_api,
    variable_api,
    x_com_api,
)
from airflow_client.client.model.clear_task_instances import ClearTaskInstances
from airflow_client.client.model.dag import DAG
from airflow_client.client.model.dag_run import DAGRun
from airflow_client.client.model.list_dag_runs_form import ListDagRunsForm
from airflow_client.client.model.list_task_instance_form import ListTaskInstanceForm
from airflow_client.client.model.task_state import TaskState
from airflow_client.client.model.update_dag_run_state import UpdateDagRunState
from airflow_client.client.model.variable import Variable

base_url, flow_dag, wait_dag, flaky_key, suffix = sys.argv[1:6]
failures = 0


def record(name, fn):
    """Runs one client call; prints its outcome; returns its result (None when it failed)."""
    global failures
    try:
        result = fn()
        print(json.dumps({"call": name, "ok": True}), flush=True)
        return result
    except Exception as err:  # noqa: BLE001 - every failure is reported, none stops the run
        failures += 1
        print(json.dumps({"call": name, "ok": False, "detail": f"{type(err).__name__}: {err}"[:1500]}), flush=True)
        return None


def expect(name, condition, detail=""):
    global failures
    if not condition:
        failures += 1
    print(json.dumps({"call": name, "ok": bool(condition), "detail": str(detail)[:500]}), flush=True)


def wait_for_state(runs, dag_id, run_id, states, timeout=90):
    deadline = time.time() + timeout
    while time.time() < deadline:
        run = runs.get_dag_run(dag_id, run_id)
        if run.state.value in states:
            return run
        time.sleep(0.5)
    raise TimeoutError(f"{dag_id}/{run_id} did not reach {states}")


config = client.Configuration(host=base_url)
with client.ApiClient(config) as api:
    dags = dag_api.DAGApi(api)
    runs = dag_run_api.DAGRunApi(api)
    tis = task_instance_api.TaskInstanceApi(api)
    xcoms = x_com_api.XComApi(api)
    variables = variable_api.VariableApi(api)
    monitoring = monitoring_api.MonitoringApi(api)
    stats = dag_stats_api.DagStatsApi(api)

    record("get_health", monitoring.get_health)
    version = record("get_version", monitoring.get_version)
    expect("version is 2.10.5", version is not None and version.version == "2.10.5", version)

    listed = record("get_dags", lambda: dags.get_dags(limit=100, dag_id_pattern=suffix))
    expect("get_dags lists the app's DAGs", listed is not None and sorted(d.dag_id for d in listed.dags) == sorted([flow_dag, wait_dag]), listed)
    record("get_dag", lambda: dags.get_dag(flow_dag))
    record("get_dag_details", lambda: dags.get_dag_details(flow_dag))
    tasks = record("get_tasks", lambda: dags.get_tasks(flow_dag))
    expect("get_tasks returns the five tasks", tasks is not None and len(tasks.tasks) == 5, tasks)
    record("get_task", lambda: dags.get_task(flow_dag, "flaky"))
    paused = record("patch_dag", lambda: dags.patch_dag(wait_dag, DAG(is_paused=True), update_mask=["is_paused"]))
    expect("patch_dag pauses", paused is not None and paused.is_paused is True, paused)
    record("patch_dags", lambda: dags.patch_dags(dag_id_pattern=wait_dag, dag=DAG(is_paused=False)))

    record("post_variables", lambda: variables.post_variables(Variable(key=flaky_key, value="no")))
    record("get_variable", lambda: variables.get_variable(flaky_key))
    record("get_variables", lambda: variables.get_variables(limit=100))

    run_id = f"client_{suffix}"
    logical = datetime(2033, 1, 2, 3, 4, 5, 123456, tzinfo=timezone(timedelta(hours=2)))
    created = record("post_dag_run", lambda: runs.post_dag_run(flow_dag, DAGRun(dag_run_id=run_id, logical_date=logical, conf={"from": "client"})))
    expect("logical_date keeps microseconds", created is not None and created.logical_date == logical, created and created.logical_date)
    failed = record("get_dag_run (until failed)", lambda: wait_for_state(runs, flow_dag, run_id, {"failed"}))
    expect("the run failed on flaky", failed is not None and failed.state.value == "failed", failed)
    record("get_dag_runs", lambda: runs.get_dag_runs(flow_dag, order_by="-execution_date", limit=100))
    record("get_dag_runs ~", lambda: runs.get_dag_runs("~", limit=100))
    record("get_dag_runs_batch", lambda: runs.get_dag_runs_batch(ListDagRunsForm(dag_ids=[flow_dag], page_limit=100)))

    instances = record("get_task_instances", lambda: tis.get_task_instances(flow_dag, run_id))
    expect("seven task instances", instances is not None and instances.total_entries == 7, instances and instances.total_entries)
    record("get_task_instances ~", lambda: tis.get_task_instances("~", "~", limit=100))
    record("get_task_instance", lambda: tis.get_task_instance(flow_dag, run_id, "hello"))
    record("get_mapped_task_instance", lambda: tis.get_mapped_task_instance(flow_dag, run_id, "doubled", 1))
    record("get_task_instances_batch", lambda: tis.get_task_instances_batch(ListTaskInstanceForm(dag_ids=[flow_dag], state=[TaskState("failed")])))
    log = record("get_log", lambda: tis.get_log(flow_dag, run_id, "flaky", 1))
    expect("the log holds the task's lines", log is not None and "flaky sees ok=no" in log.content, log and log.content[:200])
    record("get_xcom_entries", lambda: xcoms.get_xcom_entries(flow_dag, run_id, "~"))
    entry = record("get_xcom_entry", lambda: xcoms.get_xcom_entry(flow_dag, run_id, "hello", "return_value"))
    expect("hello's XCom", entry is not None and entry.value == "{'greeting': 'hi'}", entry)
    dag_stats = record("get_dag_stats", lambda: stats.get_dag_stats(dag_ids=flow_dag))
    expect("dagStats has the DAG", dag_stats is not None and dag_stats.dags[0].dag_id == flow_dag, dag_stats)

    record("patch_variable", lambda: variables.patch_variable(flaky_key, Variable(key=flaky_key, value="yes")))
    cleared = record("post_clear_task_instances", lambda: dags.post_clear_task_instances(flow_dag, ClearTaskInstances(dry_run=False, dag_run_id=run_id)))
    expect("clear returns flaky and after", cleared is not None and sorted(t.task_id for t in cleared.task_instances) == ["after", "flaky"], cleared)
    record("get_dag_run (until success after the clear)", lambda: wait_for_state(runs, flow_dag, run_id, {"success"}))

    waiting = f"client_wait_{suffix}"
    record("post_dag_run (waiting)", lambda: runs.post_dag_run(wait_dag, DAGRun(dag_run_id=waiting)))
    record("get_dag_run (until running)", lambda: wait_for_state(runs, wait_dag, waiting, {"running"}))
    marked = record("update_dag_run_state", lambda: runs.update_dag_run_state(wait_dag, waiting, UpdateDagRunState(state="failed")))
    expect("marked failed", marked is not None and marked.state.value == "failed", marked)
    record("delete_dag_run", lambda: runs.delete_dag_run(wait_dag, waiting))
    record("delete_variable", lambda: variables.delete_variable(flaky_key))

    try:
        dags.get_dag(f"no_such_dag_{suffix}")
        expect("get_dag of an unknown DAG is a 404", False, "no error")
    except client.ApiException as err:
        expect("get_dag of an unknown DAG is a 404", err.status == 404, err.status)

print(json.dumps({"failures": failures}), flush=True)
sys.exit(1 if failures else 0)
