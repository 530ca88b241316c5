// finance_elt (seed 000 "Financial ML", step 2): event-driven and daily. A blob landing under
// charge/ or satisfaction/ starts the day's run (or wakes its waiting sensors); the daily schedule
// still runs a day that saw no blob. Each file is streamed into COPY once per blob version (no
// temporary file), bad files go to quarantine/ with the reason, loaded files are archived
// (server-side copy, verified, then deleted), and model_training is upserted for finance_ml.
import { FINANCE as F } from "./finance";
import { blobList, blobMove, blobPrefixSensor, dag, empty, python, sql, type TaskRef } from "./runtime";

const SQL = "orchestrations/sql/finance_elt";

export default dag({
  dagId: "finance_elt",
  description: "Load the finance CSVs from blob storage into Postgres, archive them, build model_training",
  schedule: "@daily",
  startOnBlob: true,
  startDate: "2024-09-04",
  catchup: false,
  // on_bad_file: fail (the run fails naming the file and line) or skip (the run goes on without it).
  params: { on_bad_file: "fail" },
  defaultArgs: { retries: 1, retryDelay: "30s", executionTimeout: "30m" },
  tags: ["financial-elt", "elt"],
  tasks: (t) => {
    const start = t.task("start", empty());
    const wait = t.group("phase_1_wait_for_blobs", (g) => {
      // The seed poked every 10 s for 30 s; a blob event wakes these at once, so they may wait
      // longer, and a day without files ends skipped instead of failed.
      for (const [kind, prefix] of [["charge", F.chargePrefix], ["satisfaction", F.satisfactionPrefix]]) {
        g.sensor(`wait_for_blobs_${kind}`, blobPrefixSensor({ container: F.dataContainer, prefix }), {
          pokeInterval: "10s", timeout: "10m", mode: "reschedule", softFail: true,
        });
      }
    });
    let blobNames!: TaskRef;
    const names = t.group("phase_2_get_blob_names", (g) => {
      const charge = g.task("get_blob_names_for_charge", blobList({ container: F.dataContainer, prefix: F.chargePrefix }));
      const satisfaction = g.task("get_blob_names_for_satisfaction", blobList({ container: F.dataContainer, prefix: F.satisfactionPrefix }));
      blobNames = g.task("combine_blob_names", python("finance_elt.combine_blob_names", { charge: charge.output, satisfaction: satisfaction.output }));
    });
    const tables = t.group("phase_3_create_table_if_not_exists", (g) => {
      for (const name of ["create_charge_table", "create_satisfaction_table", "create_model_training_table"]) g.task(name, sql({ file: `${SQL}/${name}.sql` }));
    });
    const save = t.task("save_data_from_storage_to_db", python("finance_elt.save_data_from_storage_to_db", {
      container: F.dataContainer, on_bad_file: "{{ params.on_bad_file }}",
    }), { expand: { blob_name: blobNames.output } });
    // Mapped over what was loaded: a file skipped as bad (on_bad_file skip) has no instance here,
    // and a day with nothing loaded skips the archive.
    const archive = t.task("move_blob_to_archive", blobMove({
      source_container: F.dataContainer, dest_container: F.archiveContainer, dest_prefix: "financial_data/date_{{ ds }}/",
    }), { expand: { source_blob: save.output }, triggerRule: "none_failed_min_one_success" });
    const store = t.task("store_calculated_data_for_ml_training", sql({ file: `${SQL}/store_calculated_data_for_ml_training.sql` }));
    const finish = t.task("finish", empty());
    t.chain(start, wait, names, tables, save, archive, store, finish);
  },
});
