// user_processing (seed 004): create the users table, wait for the user API, extract one user,
// process it, store it with COPY. Fixes: the password is stored as a salted scrypt hash (never
// plain, in the table, XCom or logs), and a rerun of a day adds no duplicate user (the API's seed
// parameter returns the day's same user, and the COPY skips usernames already stored).
import { dag, httpSensor, httpToBlob, postgresCopy, python, sql } from "./runtime";

const CONTAINER = "user-processing";

export default dag({
  dagId: "user_processing",
  description: "Extract a user from the user API, hash the password, store it in Postgres",
  schedule: "@daily",
  startDate: "2023-01-01",
  catchup: false,
  defaultArgs: { retries: 2, retryDelay: "1m" },
  tags: ["http", "sensor", "copy"],
  tasks: (t) => {
    const createTable = t.task("create_table", sql({ conn_id: "postgres_default", file: "orchestrations/sql/user_processing/create_table.sql" }));
    const isApiAvailable = t.sensor("is_api_available", httpSensor({ conn_id: "user_api", endpoint: "api/" }), {
      pokeInterval: "30s", timeout: "5m", mode: "reschedule",
    });
    // The raw answer goes to blob storage, not XCom: it holds the plain password until process_user redacts it.
    const extractUser = t.task("extract_user", httpToBlob({
      conn_id: "user_api", endpoint: "api/", data: { seed: "{{ ds }}" }, container: CONTAINER, blob: "raw/{{ ds }}/user.json",
    }));
    const processUser = t.task("process_user", python("user_processing.process_user", {
      extracted: extractUser.output, container: CONTAINER, blob: "processed/{{ ds }}/user.csv",
    }));
    const storeUser = t.task("store_user", postgresCopy({
      table: "users", columns: ["firstname", "lastname", "country", "username", "password", "email"],
      container: CONTAINER, blob: "processed/{{ ds }}/user.csv", header: false, conflict_keys: ["username"],
    }));
    t.chain(createTable, isApiAvailable, extractUser, processUser, storeUser);
  },
});
