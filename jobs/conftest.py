"""pytest set-up for the PySpark jobs: the jobs' folders on sys.path (as --py-files puts
jobs/common there under spark-submit) and one small local SparkSession for the whole run."""
import os
import sys

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
FOLDERS = [os.path.join(HERE, f) for f in ("common", "micro_batching_load_data", "micro_batching_transform_data", "finance_ml")]
sys.path[:0] = FOLDERS
# Spark's Python workers import the jobs' modules too: they inherit PYTHONPATH from the JVM.
os.environ["PYTHONPATH"] = os.pathsep.join(FOLDERS + [p for p in [os.environ.get("PYTHONPATH")] if p])
# ...and run on this interpreter, which has the jobs' requirements.
os.environ["PYSPARK_PYTHON"] = sys.executable


@pytest.fixture(scope="session")
def spark():
    from pyspark.sql import SparkSession
    session = (SparkSession.builder.master("local[1]").appName("azflow-jobs-tests")
               .config("spark.ui.enabled", "false").config("spark.sql.shuffle.partitions", "2")
               .config("spark.driver.host", "127.0.0.1").config("spark.driver.bindAddress", "127.0.0.1")
               .config("spark.sql.session.timeZone", "UTC").getOrCreate())
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()
