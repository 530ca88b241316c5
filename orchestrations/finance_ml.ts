// finance_ml (seed 000 "Financial ML", step 3): snapshot model_training for the run, build the
// features, train four models (one mapped task each) and plot each one. The training and plotting
// are Python jobs dispatched through the Spark dispatch, as the seed's scikit-learn code would run
// at scale: local spark-submit here, a Synapse Spark pool (whose 3.5 runtime ships scikit-learn
// and matplotlib) in Azure. Results land in model_results, keyed by (run, model); plots in blob storage.
import { FINANCE as F } from "./finance";
import { dag, sparkSubmit, sql } from "./runtime";

/** One mapped task per model, in this order (map_index 0..3). */
export const FINANCE_MODELS = ["random_forest", "linear_regression", "ridge", "lasso"] as const;
const RUN = ["--run-id", "{{ run_id }}"];
const JOB_FILES = ["jobs/common/azflow_job.py", "jobs/finance_ml/finance_models.py"];

const job = (application: string, connIds: string[], args?: string[]) => sparkSubmit({
  application: `jobs/finance_ml/${application}`, ...(args ? { application_args: args } : {}), py_files: JOB_FILES, conn_ids: connIds,
  driver_memory: "1g", poke_interval: 5,
});

export default dag({
  dagId: "finance_ml",
  description: "Train four regression models on model_training and plot their predictions",
  schedule: "@daily",
  startDate: "2024-09-04",
  catchup: false,
  // The seed's forest had 2000 trees; a run may ask for fewer in its conf.
  params: { n_estimators: 2000 },
  // As the seed: no retries (a training set too small for the models would only fail again).
  defaultArgs: { executionTimeout: "1h" },
  tags: ["financial-ml", "ml", "spark"],
  tasks: (t) => {
    const fetch = t.task("fetch_data_from_db", sql({ file: "orchestrations/sql/finance_ml/fetch_data_from_db.sql", parameters: { run_id: "{{ run_id }}" } }));
    const features = t.task("feature_data_task", job("feature_job.py", ["postgres_default"], RUN));
    const train = t.task("train_model_task", job("train_job.py", ["postgres_default"]), {
      expand: { application_args: FINANCE_MODELS.map((m) => [...RUN, "--model", m, "--n-estimators", "{{ params.n_estimators }}"]) },
    });
    const plot = t.task("plot_model_results", job("plot_job.py", ["postgres_default", "wasb_default"]), {
      expand: { application_args: FINANCE_MODELS.map((m) => [...RUN, "--model", m, "--container", F.mlContainer, "--prefix", "plots/{{ ds }}/"]) },
    });
    t.chain(fetch, features, train, plot);
  },
});
