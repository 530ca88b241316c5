// Airflow's tutorial DAG: print the date, load the day's row from a SQL file, report what
// load_table returned through XCom. Daily from 2023-01-01 with catchup and one retry.
import { bash, dag, python, sql } from "./runtime";

export default dag({
  dagId: "tutorial",
  description: "Print the date, load a table from a SQL file, report the result",
  schedule: { every: "1d" },
  startDate: "2023-01-01",
  catchup: true,
  defaultArgs: { retries: 1, retryDelay: "5m" },
  tags: ["example"],
  tasks: (t) => {
    const printDate = t.task("print_date", bash({ command: "date" }));
    const loadTable = t.task("load_table", sql({
      conn_id: "postgres_default",
      file: "orchestrations/sql/tutorial_load_table.sql",
      parameters: { ds: "{{ ds }}", run_id: "{{ run_id }}" },
    }));
    const report = t.task("report", python("tutorial.report", { loaded: loadTable.output }));
    t.chain(printDate, loadTable, report);
  },
});
