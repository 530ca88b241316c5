// The app as shipped (every DAG, the REST API, the triggers) plus the hostile DAG, whose task code
// leaks postgres_default's password and the storage account key of wasb_default every way it can.
import "../../../functions/index";
import { registerHostileDag } from "../secret-masking/hostile";

registerHostileDag({ dagId: "hostile_secrets", connId: "postgres_default", storageConnId: "wasb_default" });
