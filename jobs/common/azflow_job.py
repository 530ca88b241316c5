"""What every azflow PySpark job needs: the connections it was handed, without their secrets ever
being on its command line or in its Spark conf.

The submitting activity puts each connection the job names (`conn_ids`) in the job's environment
as AIRFLOW_CONN_<ID> (Airflow's JSON form), or, where a cluster cannot take an environment (Livy),
in a JSON file only the job can read whose path is in AZFLOW_SECRETS_FILE.
"""
import json
import os
from typing import Any, Dict, Optional
from urllib.parse import parse_qsl, unquote, urlsplit


def _secrets_file() -> Dict[str, str]:
    path = os.environ.get("AZFLOW_SECRETS_FILE")
    if not path:
        return {}
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def _parse_uri(uri: str) -> Dict[str, Any]:
    parts = urlsplit(uri)
    extra = dict(parse_qsl(parts.query))
    if "__extra__" in extra:
        extra = json.loads(extra["__extra__"])
    return {
        "conn_type": parts.scheme.replace("-", "_"),
        "host": unquote(parts.hostname) if parts.hostname else None,
        "port": parts.port,
        "login": unquote(parts.username) if parts.username else None,
        "password": unquote(parts.password) if parts.password else None,
        "schema": unquote(parts.path.lstrip("/")) or None,
        "extra": extra,
    }


def connection(conn_id: str) -> Dict[str, Any]:
    """A connection as a dict (conn_type, host, port, login, password, schema, extra)."""
    name = "AIRFLOW_CONN_" + conn_id.upper()
    raw: Optional[str] = os.environ.get(name) or _secrets_file().get(name)
    if not raw:
        raise RuntimeError(f"Connection '{conn_id}' was not handed to this job: add it to the task's conn_ids.")
    raw = raw.strip()
    conn = json.loads(raw) if raw.startswith("{") else _parse_uri(raw)
    extra = conn.get("extra") or {}
    conn["extra"] = json.loads(extra) if isinstance(extra, str) else extra
    return conn


def postgres_jdbc(conn_id: str) -> Dict[str, str]:
    """JDBC options for a Postgres connection (url, user, password, driver)."""
    c = connection(conn_id)
    url = f"jdbc:postgresql://{c.get('host') or '127.0.0.1'}:{c.get('port') or 5432}/{c.get('schema') or ''}"
    sslmode = c["extra"].get("sslmode")
    if sslmode:
        url += f"?sslmode={sslmode}"
    return {"url": url, "user": c.get("login") or "", "password": c.get("password") or "", "driver": "org.postgresql.Driver"}


def postgres_dsn(conn_id: str) -> Dict[str, Any]:
    """psycopg2 connect() keywords for a Postgres connection."""
    c = connection(conn_id)
    out = {"host": c.get("host") or "127.0.0.1", "port": c.get("port") or 5432, "dbname": c.get("schema"),
           "user": c.get("login"), "password": c.get("password")}
    if c["extra"].get("sslmode"):
        out["sslmode"] = c["extra"]["sslmode"]
    return out


def kafka_bootstrap(conn_id: str) -> str:
    c = connection(conn_id)
    listed = c["extra"].get("bootstrap.servers") or c["extra"].get("bootstrap_servers")
    if listed:
        return listed
    return f"{c.get('host')}:{c.get('port') or 9092}"


def quote_ident(name: str) -> str:
    """A table name from arguments, checked and quoted (schema.name allowed)."""
    import re
    parts = name.split(".")
    if len(parts) > 2 or not all(re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]{0,62}", p) for p in parts):
        raise ValueError(f"'{name}' is not a plain table name")
    return ".".join(f'"{p}"' for p in parts)


def blob_service(conn_id: str):
    """An azure-storage-blob BlobServiceClient for a wasb connection, in the forms the app's blob hook
    takes: extra.connection_string; an account URL (host, or https://<login>.blob.core.windows.net)
    with login/password as account name and key, or with extra.sas_token; an account URL alone uses
    the cluster's identity through azure-identity (where the Spark runtime ships it)."""
    from azure.storage.blob import BlobServiceClient
    c = connection(conn_id)
    extra = c["extra"]
    if extra.get("connection_string"):
        return BlobServiceClient.from_connection_string(extra["connection_string"])
    host = c.get("host") or extra.get("account_url") or (f"{c['login']}.blob.core.windows.net" if c.get("login") else None)
    if not host:
        raise RuntimeError(f"Connection '{conn_id}' names no storage account: set host, login or extra.connection_string.")
    url = host if host.startswith(("http://", "https://")) else f"https://{host}"
    if extra.get("sas_token"):
        sas = extra["sas_token"]
        return BlobServiceClient(url + (sas if sas.startswith("?") else "?" + sas))
    if c.get("login") and c.get("password"):
        return BlobServiceClient(url, credential={"account_name": c["login"], "account_key": c["password"]})
    from azure.identity import DefaultAzureCredential
    return BlobServiceClient(url, credential=DefaultAzureCredential())


def sql_literal(value: str) -> str:
    """A string as a SQL literal, for query texts that cannot take parameters (Spark's JDBC query)."""
    return "'" + value.replace("'", "''") + "'"


def read_jdbc_query(spark, conn_id: str, query: str):
    """A Postgres query's rows over JDBC, as a pandas frame on the driver."""
    return spark.read.format("jdbc").options(**postgres_jdbc(conn_id)).option("query", query).load().toPandas()
