// Sensors with trigger rules: three blob prefix sensors and two SQL sensors that soft-fail
// (SKIPPED) after 15 s, a mapped blob sensor that runs if at least one of them found something,
// and joins whose trigger rules decide what runs after the skips.
import { blobPrefixSensor, dag, empty, sqlSensor } from "./runtime";

const CONTAINER = "finance-data";

export default dag({
  dagId: "sensor_with_conditions",
  schedule: "@daily",
  startDate: "2024-01-01",
  catchup: false,
  defaultArgs: {
    pokeInterval: "5s",
    timeout: "15s",
    mode: "reschedule",
    softFail: true,
    onFailureCallback: "sensor_with_conditions.log_timeout",
  },
  tags: ["sensors", "trigger_rules"],
  tasks: (t) => {
    const start = t.task("start", empty());
    const blob1 = t.sensor("blob_sensor_1", blobPrefixSensor({ container: CONTAINER, prefix: "sensor" }));
    const blob2 = t.sensor("blob_sensor_2", blobPrefixSensor({ container: CONTAINER, prefix: "notexistblob" }));
    const blob3 = t.sensor("blob_sensor_3", blobPrefixSensor({ container: CONTAINER, prefix: "some_blob" }));
    const pg1 = t.sensor("postgres_conn_1", sqlSensor({
      sql: "SELECT 1 FROM magic WHERE DATE(created) = %(ds)s LIMIT 1", parameters: { ds: "{{ ds }}" },
    }));
    const pg2 = t.sensor("postgres_conn_2", sqlSensor({
      sql: "SELECT 1 FROM technology WHERE DATE(created) = %(ds)s LIMIT 1", parameters: { ds: "{{ ds }}" },
    }));
    const blob4 = t.sensor("blob_sensor_4", blobPrefixSensor({ container: CONTAINER, prefix: "" }), {
      expand: { prefix: ["sensor", "not_exist_blob", "some_blob"] },
      triggerRule: "none_failed_min_one_success",
    });
    const done = t.task("done", empty(), { triggerRule: "none_failed_min_one_success" });
    const finish = t.task("finish", empty());
    const allSuccess = t.task("all_success", empty(), { triggerRule: "all_success" });

    start.then([blob1, blob2, blob3, pg1, pg2]);
    t.list(blob1, blob2, blob3).then(blob4).then(done).then(finish);
    t.list(pg1, pg2).then(allSuccess);
  },
});
