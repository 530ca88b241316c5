// finance_elt's task code: the seed's combine_blob_names, and save_data_from_storage_to_db, which
// picks the table by the blob's prefix (as the seed did) and loads it with postgresCopy: streamed
// into COPY, once per blob version, bad files quarantined. Its XCom is the blob's name, as in the
// seed, so move_blob_to_archive maps over exactly the files that were loaded.
import { FINANCE } from "../../orchestrations/finance";
import { registerCallable } from "../activities/callable";
import { isSkip } from "../activities/operator";
import { postgresCopyOperator } from "../activities/postgres-copy";

/** Each prefix's table and the key that makes a re-uploaded file add no duplicate rows. */
const TABLES: Record<string, { table: string; key: string }> = {
  [FINANCE.chargePrefix]: { table: FINANCE.chargeTable, key: "id" },
  [FINANCE.satisfactionPrefix]: { table: FINANCE.satisfactionTable, key: "customer_id" },
};

function names(value: unknown, what: string): string[] {
  if (!Array.isArray(value) || value.some((v) => typeof v !== "string")) throw new Error(`${what} should be a list of blob names, got ${JSON.stringify(value)}.`);
  return value as string[];
}

registerCallable("finance_elt.combine_blob_names", (kwargs, ctx) => {
  const charge = names(kwargs.charge, "get_blob_names_for_charge's XCom");
  const satisfaction = names(kwargs.satisfaction, "get_blob_names_for_satisfaction's XCom");
  ctx.log(`Charge blob names: ${charge.join(", ") || "(none)"}`);
  ctx.log(`Satisfaction blob names: ${satisfaction.join(", ") || "(none)"}`);
  return [...charge, ...satisfaction];
});

registerCallable("finance_elt.save_data_from_storage_to_db", async (kwargs, ctx) => {
  const blobName = String(kwargs.blob_name ?? "");
  const prefix = Object.keys(TABLES).find((p) => blobName.startsWith(p));
  if (!prefix) throw new Error(`'${blobName}' is under neither ${Object.keys(TABLES).join(" nor ")}: no table to load it into.`);
  const where = `finance_elt.save_data_from_storage_to_db(${blobName})`;
  const config = postgresCopyOperator.parse({
    table: TABLES[prefix].table,
    container: kwargs.container,
    blob: blobName,
    header: true,
    conflict_keys: [TABLES[prefix].key],
    on_bad_file: kwargs.on_bad_file ?? "fail",
    quarantine: "move",
    require_final_newline: true,
  }, where);
  const result = await postgresCopyOperator.execute(config, ctx);
  return isSkip(result) ? result : blobName;
});
