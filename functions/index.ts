// The entry the Functions host loads (package.json `main`). Importing a module registers its
// functions; the local runtime loads this same file.
import "./telemetry/flush-on-terminate";
import "./http/health";
import "./http/api";
import "./http/ui/static-files";
import "./activities";
import "./triggers/reconcile-trigger";
import "./callables/tutorial";
import "./callables/parent-dag";
import "./callables/sensor-with-conditions";
import "./callables/user-processing";
import "./callables/songplays-dwh";
import "./callables/micro-batching-generate-data";
import "./callables/micro-batching-load-data";
import "./callables/finance-generate-and-upload";
import "./callables/finance-elt";
import { registerDag } from "./register-dag";
import tutorial from "../orchestrations/tutorial";
import sensorWithConditions from "../orchestrations/sensor_with_conditions";
import parentDag from "../orchestrations/parent_dag";
import childDag1 from "../orchestrations/child_dag_1";
import childDag2 from "../orchestrations/child_dag_2";
import userProcessing from "../orchestrations/user_processing";
import nyTaxiIngest from "../orchestrations/ny_taxi_ingest";
import songplaysDwh from "../orchestrations/songplays_dwh";

import microBatchingPrepareEnv from "../orchestrations/micro_batching_prepare_env";
import microBatchingGenerateData from "../orchestrations/micro_batching_generate_data";
import microBatchingLoadData from "../orchestrations/micro_batching_load_data";
import microBatchingTransformData from "../orchestrations/micro_batching_transform_data";
import financeGenerateAndUpload from "../orchestrations/finance_generate_and_upload";
import financeElt from "../orchestrations/finance_elt";
import financeMl from "../orchestrations/finance_ml";

for (const dag of [
  tutorial, sensorWithConditions, parentDag, childDag1, childDag2, userProcessing, nyTaxiIngest, songplaysDwh,
  microBatchingPrepareEnv, microBatchingGenerateData, microBatchingLoadData, microBatchingTransformData,
  financeGenerateAndUpload, financeElt, financeMl,
]) registerDag(dag);
