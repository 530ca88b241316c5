// The entry the Functions host loads (package.json `main`). Importing a module registers its
// functions; the local runtime loads this same file.
import "./http/health";
