-- What DAG tasks do in the azflow database: create and load their tables.
GRANT CONNECT, CREATE, TEMPORARY ON DATABASE :"DBNAME" TO :"identity";
GRANT USAGE, CREATE ON SCHEMA public TO :"identity";
