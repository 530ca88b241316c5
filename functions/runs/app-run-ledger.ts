// One run ledger per process for the app's functions: its tables are created once, on first use.
import { RunLedger } from "../ledger/run-ledger";

let ledger: RunLedger | undefined;

export function appRunLedger(): RunLedger {
  ledger ??= new RunLedger();
  return ledger;
}
