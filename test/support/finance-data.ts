// Files for the finance_elt tests: the generator's CSVs (a seed of the test's own, so rows never
// collide with other runs'), bad variants of them, and the finance-data inbox emptied before a test.
import { BlobServiceClient, type ContainerClient } from "@azure/storage-blob";
import { mockCsvLines, mockCustomerStream, type MockCustomer } from "../../functions/callables/finance-generate-and-upload";
import { FINANCE } from "../../orchestrations/finance";
import { azuriteConnectionString } from "./services";

/** A random past instant (second resolution) as a logical date: runs of earlier test runs stay in the ledger. */
export function freshLogicalDate(): string {
  const ms = (3_000 + Math.floor(Math.random() * 20_000)) * 86_400_000 + Math.floor(Math.random() * 86_400) * 1000;
  return new Date(ms).toISOString().replace(/\.\d+Z$/, "Z");
}

export function financeContainer(name: string = FINANCE.dataContainer): ContainerClient {
  return BlobServiceClient.fromConnectionString(azuriteConnectionString()).getContainerClient(name);
}

/** Empties the prefixes finance_elt reads and quarantines into, so a test sees only its own files. */
export async function clearFinanceInbox(): Promise<void> {
  const c = financeContainer();
  await c.createIfNotExists();
  for (const prefix of [FINANCE.chargePrefix, FINANCE.satisfactionPrefix, "quarantine/"]) {
    for await (const b of c.listBlobsFlat({ prefix })) await c.deleteBlob(b.name);
  }
}

export async function upload(blobName: string, body: string | Buffer, container = financeContainer()): Promise<void> {
  await container.createIfNotExists();
  const bytes = typeof body === "string" ? Buffer.from(body, "utf8") : body;
  await container.getBlockBlobClient(blobName).upload(bytes, bytes.length);
}

export async function download(blobName: string, container = financeContainer()): Promise<Buffer> {
  return container.getBlobClient(blobName).downloadToBuffer();
}

export interface FinancePair {
  customers: MockCustomer[];
  charge: string;
  satisfaction: string;
}

/** A charge file and a satisfaction file of `count` customers from `seed`. */
export function financePair(seed: string, count: number, createdSec = 1_727_740_800): FinancePair {
  const customers = [...mockCustomerStream(seed, count, createdSec)];
  return {
    customers,
    charge: [...mockCsvLines("charge", customers)].join(""),
    satisfaction: [...mockCsvLines("satisfaction", customers)].join(""),
  };
}

/** Data rows of a CSV text (lines after the header, a last line without its break included). */
export function dataRows(text: string | Buffer): number {
  const lines = text.toString("latin1").split("\n");
  if (lines[lines.length - 1] === "") lines.pop();
  return lines.length - 1;
}

/** The CSV with one column left out of the header and every row. */
export function withoutColumn(csv: string, column: string): string {
  const lines = csv.split("\r\n");
  const at = lines[0].split(",").indexOf(column);
  return lines.map((l) => (l ? l.split(",").filter((_, i) => i !== at).join(",") : l)).join("\r\n");
}

/** The CSV with one field of one data row (1-based) replaced. */
export function withField(csv: string, row: number, column: string, value: string): string {
  const lines = csv.split("\r\n");
  const at = lines[0].split(",").indexOf(column);
  const fields = lines[row].split(",");
  fields[at] = value;
  lines[row] = fields.join(",");
  return lines.join("\r\n");
}
