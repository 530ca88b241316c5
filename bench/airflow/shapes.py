"""The DAG shapes of `npm run bench -- dag --airflow` for Airflow 2.10, the same as
bench/apps/shapes.ts builds for azflow: no-op PythonOperators and EmptyOperators.
Loaded by Airflow from its dags folder; the bench copies this file there."""
from datetime import datetime

from airflow import DAG
from airflow.operators.empty import EmptyOperator
from airflow.operators.python import BranchPythonOperator, PythonOperator


def noop():
    return None


def task_id(prefix, i):
    return f"{prefix}_{i:03d}"


with DAG("bench_chain300", schedule=None, start_date=datetime(2024, 1, 1), catchup=False) as chain300:
    previous = None
    for i in range(300):
        task = PythonOperator(task_id=task_id("c", i), python_callable=noop)
        if previous is not None:
            previous >> task
        previous = task

with DAG("bench_fanout500", schedule=None, start_date=datetime(2024, 1, 1), catchup=False) as fanout500:
    start = EmptyOperator(task_id="start")
    end = EmptyOperator(task_id="end")
    for i in range(500):
        start >> PythonOperator(task_id=task_id("f", i), python_callable=noop) >> end

with DAG("bench_mixed200", schedule=None, start_date=datetime(2024, 1, 1), catchup=False) as mixed200:
    previous = []
    for layer in range(10):
        current = []
        for i in range(20):
            tid = task_id(f"l{layer}", i)
            rule = "none_failed_min_one_success" if i % 5 == 4 else "all_done" if i % 7 == 6 else "all_success"
            if layer % 4 == 1 and i == 0:
                choice = task_id(f"l{layer + 1}", 11)
                task = BranchPythonOperator(task_id=tid, python_callable=lambda choice=choice: choice)
            elif i % 3 == 2:
                task = EmptyOperator(task_id=tid, trigger_rule=rule)
            else:
                task = PythonOperator(task_id=tid, python_callable=noop, trigger_rule=rule)
            if previous:
                [previous[i], previous[(i * 7 + 3) % 20]] >> task
            current.append(task)
        previous = current
