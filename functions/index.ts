// The entry the Functions host loads (package.json `main`). Importing a module registers its
// functions; the local runtime loads this same file.
import "./http/health";
import "./http/api/get-dags";
import "./http/api/get-dag";
import "./http/api/post-dag-run";
import "./http/api/get-dag-runs";
import "./http/api/get-dag-run";
import "./http/api/get-task-instances";
