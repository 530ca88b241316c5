// `npm run demo`: the main job on embedded services. It brings the local services up (installing
// what they need on first use) and proves each one with a real round trip.
import { run as services } from "../cli/commands/services";
import { CliError } from "../cli/cli-error";

async function main(): Promise<number> {
  const upCode = await services(["up"]);
  if (upCode !== 0) return upCode;
  return services(["status"]);
}

main().then(
  (code) => { process.exitCode = code; },
  (err: unknown) => {
    console.error(err instanceof CliError ? `azflow: ${err.message}` : err);
    process.exitCode = 1;
  },
);
