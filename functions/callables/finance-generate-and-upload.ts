// finance_generate_and_upload's mock data (seed 000 "Financial ML"): Stripe-like charges and
// customer satisfaction scores with the seed's distributions, so that product B customers who
// rate speed highly spend more. Seeded: a file is a pure function of (seed, file index), so each
// mapped upload task generates its own file and streams it to its blob. Nothing passes through
// XCom or a local folder, which Functions instances do not share.
import { Readable } from "node:stream";
import { blobService } from "../hooks/blob";
import { registerCallable } from "../activities/callable";
import { seededRandom, seedNumber } from "./seeded-random";

export const CHARGE_COLUMNS = [
  "id", "amount", "amount_captured", "amount_refunded", "currency", "created", "customer_id", "description", "disputed",
  "outcome_network_status", "outcome_reason", "outcome_risk_level", "outcome_risk_score", "paid", "payment_intent",
  "payment_method", "payment_method_details_card_brand", "payment_method_details_card_country", "status",
] as const;
export const SATISFACTION_COLUMNS = [
  "customer_id", "customer_satisfaction_speed", "customer_satisfaction_product", "customer_satisfaction_service", "product_type",
] as const;

export type ChargeRow = Record<(typeof CHARGE_COLUMNS)[number], string | number | boolean | null>;
export type SatisfactionRow = Record<(typeof SATISFACTION_COLUMNS)[number], string | number>;
export interface MockCustomer {
  satisfaction: SatisfactionRow;
  charges: ChargeRow[];
}

export type FileKind = "charge" | "satisfaction";

/** The seed's file names: charge/stripe_charge_data_<i>.csv and satisfaction/stripe_satisfaction_data_<i>.csv. */
export function mockBlobName(kind: FileKind, index: number): string {
  return `${kind}/stripe_${kind}_data_${index}.csv`;
}

// Faker's country_code() for the 40% of cards not issued in the US (US itself left out, so the
// US share is exactly the seed's 0.6).
const OTHER_COUNTRIES = [
  "GB", "DE", "FR", "ES", "IT", "NL", "BE", "SE", "NO", "DK", "FI", "PL", "PT", "IE", "AT", "CH", "CZ", "GR", "HU", "RO",
  "UA", "TR", "CA", "MX", "BR", "AR", "CL", "CO", "PE", "ZA", "NG", "EG", "KE", "MA", "IN", "CN", "JP", "KR", "SG", "AU",
  "NZ", "ID", "TH", "VN", "PH", "MY", "AE", "SA", "IL", "PK",
];
const WORDS = [
  "payment", "order", "monthly", "service", "plan", "premium", "account", "renewal", "invoice", "product", "delivery",
  "express", "standard", "annual", "support", "license", "upgrade", "credit", "online", "store", "subscription", "bundle",
];

/** The draws the seed makes with random, numpy and Faker, from one seeded generator. */
export class MockRandom {
  private readonly next: () => number;
  constructor(seed: string | number) {
    this.next = seededRandom(seedNumber(seed));
  }
  /** Uniform in [0, 1): Python's random.random(). */
  random(): number {
    return this.next();
  }
  /** Python's random.randint(lo, hi): both ends included. */
  randint(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }
  /** Python's random.uniform(lo, hi). */
  uniform(lo: number, hi: number): number {
    return lo + (hi - lo) * this.next();
  }
  choice<T>(list: readonly T[]): T {
    return list[Math.floor(this.next() * list.length)];
  }
  /** Faker's uuid4(): 122 random bits with the version and variant bits set. */
  uuid4(): string {
    const hex = Array.from({ length: 4 }, () => Math.floor(this.next() * 0x100000000).toString(16).padStart(8, "0")).join("");
    const variant = ((parseInt(hex[16], 16) & 0x3) | 0x8).toString(16);
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
  }
  /** Faker's sentence(): a few words, capitalised, with a full stop. */
  sentence(): string {
    const words = Array.from({ length: this.randint(4, 9) }, () => this.choice(WORDS));
    return `${words[0][0].toUpperCase()}${words.join(" ").slice(1)}.`;
  }
}

/** The seed's generate_satisfaction: scores 0-10; product B with p 0.9 when speed >= 6, else product A with p 0.9. */
function satisfaction(r: MockRandom, customerId: string): SatisfactionRow {
  const speed = r.randint(0, 10);
  const product = r.randint(0, 10);
  const service = r.randint(0, 10);
  const productType = speed >= 6 ? (r.random() < 0.1 ? "product_A" : "product_B") : (r.random() < 0.9 ? "product_A" : "product_B");
  return {
    customer_id: customerId,
    customer_satisfaction_speed: speed,
    customer_satisfaction_product: product,
    customer_satisfaction_service: service,
    product_type: productType,
  };
}

/** The seed's generate_charge: 95% succeed; failures keep part of the amount and capture nothing. */
function charge(r: MockRandom, customer: SatisfactionRow, country: string, createdSec: number): ChargeRow {
  const base = r.randint(100, 200);
  const fast = (customer.customer_satisfaction_speed as number) >= 6;
  const multiplier = fast && customer.product_type === "product_B" ? r.uniform(10, 20) : fast ? r.uniform(5, 10) : 1;
  const amount = Math.trunc(base * multiplier);
  const ok = r.random() < 0.95;
  return {
    id: `ch_${r.uuid4()}`,
    amount: ok ? amount : r.randint(1, amount),
    amount_captured: ok ? amount : 0,
    amount_refunded: ok ? 0 : r.randint(0, 50),
    currency: "usd",
    created: createdSec,
    customer_id: customer.customer_id,
    description: r.sentence(),
    disputed: !ok,
    outcome_network_status: ok ? "approved_by_network" : "declined_by_network",
    outcome_reason: null,
    outcome_risk_level: r.choice(["normal", "elevated", "highest"]),
    outcome_risk_score: r.randint(0, 100),
    paid: ok,
    payment_intent: `pi_${r.uuid4()}`,
    payment_method: `pm_${r.uuid4()}`,
    payment_method_details_card_brand: r.choice(["visa", "mastercard", "amex"]),
    payment_method_details_card_country: country,
    status: ok ? "succeeded" : "failed",
  };
}

/** One customer: satisfaction first, then 1 charge, 2 with p 0.2, else 3-6 with p 0.3 (the seed's two draws). */
export function mockCustomer(r: MockRandom, createdSec: number): MockCustomer {
  const customerId = r.uuid4();
  const country = r.random() < 0.6 ? "US" : r.choice(OTHER_COUNTRIES);
  let count = 1;
  if (r.random() < 0.2) count = 2;
  else if (r.random() < 0.3) count = r.randint(3, 6);
  const s = satisfaction(r, customerId);
  return { satisfaction: s, charges: Array.from({ length: count }, () => charge(r, s, country, createdSec)) };
}

/** A file pair's generator and size: 100-301 customers, drawn first from the file's own seed. */
export function mockFile(seed: string, index: number): { random: MockRandom; customers: number } {
  const random = new MockRandom(`${seed}/${index}`);
  return { random, customers: random.randint(100, 301) };
}

export function* mockCustomers(seed: string, index: number, createdSec: number): Generator<MockCustomer> {
  const { random, customers } = mockFile(seed, index);
  for (let i = 0; i < customers; i++) yield mockCustomer(random, createdSec);
}

/** Any number of customers from one seed (larger files than the seed's, for tests and benchmarks). */
export function* mockCustomerStream(seed: string, count: number, createdSec: number): Generator<MockCustomer> {
  const random = new MockRandom(seed);
  for (let i = 0; i < count; i++) yield mockCustomer(random, createdSec);
}

/** Python's csv.writer: minimal quoting, True/False, None as an empty field, \r\n line ends. */
function csvField(v: string | number | boolean | null): string {
  if (v === null) return "";
  if (typeof v === "boolean") return v ? "True" : "False";
  const s = String(v);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function csvLine(values: readonly (string | number | boolean | null)[]): string {
  return `${values.map(csvField).join(",")}\r\n`;
}

/** A file's CSV lines, header first; its rows are customers' charges or their satisfaction rows. */
export function* mockCsvLines(kind: FileKind, customers: Iterable<MockCustomer>): Generator<string> {
  if (kind === "charge") {
    yield csvLine(CHARGE_COLUMNS);
    for (const c of customers) for (const ch of c.charges) yield csvLine(CHARGE_COLUMNS.map((k) => ch[k]));
  } else {
    yield csvLine(SATISFACTION_COLUMNS);
    for (const c of customers) yield csvLine(SATISFACTION_COLUMNS.map((k) => c.satisfaction[k]));
  }
}

export interface MockFilePlan {
  blob_name: string;
  kind: FileKind;
  index: number;
  rows: number;
}

function positiveInt(value: unknown, name: string): number {
  const n = typeof value === "string" && /^\d+$/.test(value.trim()) ? Number(value) : value;
  if (typeof n !== "number" || !Number.isInteger(n) || n < 1 || n > 1000) throw new Error(`'${name}' must be a whole number from 1 to 1000, got ${JSON.stringify(value)}.`);
  return n;
}

function createdSeconds(ctx: { logicalDate: string }): number {
  return Math.floor(Date.parse(ctx.logicalDate) / 1000);
}

// generate_mock_data: draws the day's files (the seed wrote 10 pairs) and reports their rows.
registerCallable("finance_generate_and_upload.generate_mock_data", (kwargs, ctx) => {
  const files = positiveInt(kwargs.files ?? 10, "files");
  const seed = String(kwargs.seed ?? ctx.logicalDate);
  const plans: MockFilePlan[] = [];
  for (let index = 1; index <= files; index++) {
    let customers = 0;
    let charges = 0;
    for (const c of mockCustomers(seed, index, createdSeconds(ctx))) {
      customers++;
      charges += c.charges.length;
    }
    plans.push({ blob_name: mockBlobName("charge", index), kind: "charge", index, rows: charges });
    plans.push({ blob_name: mockBlobName("satisfaction", index), kind: "satisfaction", index, rows: customers });
  }
  const total = (k: FileKind) => plans.filter((p) => p.kind === k).reduce((n, p) => n + p.rows, 0);
  ctx.log(`Generated ${files} file pairs from seed '${seed}': ${total("charge")} charges, ${total("satisfaction")} customers.`);
  return { seed, files: plans };
});

// prepare_upload_list: the upload task's kwargs, one dict per file (the seed's prepare_kwargs task).
registerCallable("finance_generate_and_upload.prepare_upload_list", (kwargs) => {
  const generated = kwargs.generated as { seed?: unknown; files?: MockFilePlan[] } | null;
  if (!generated || typeof generated.seed !== "string" || !Array.isArray(generated.files)) {
    throw new Error(`prepare_upload_list expects generate_mock_data's XCom ({seed, files}), got ${JSON.stringify(generated)}.`);
  }
  return generated.files.map((f) => ({ seed: generated.seed, kind: f.kind, index: f.index, blob_name: f.blob_name }));
});

// upload_mock_data (mapped): the file's CSV streamed into its blob, overwritten as the seed's load_options did.
registerCallable("finance_generate_and_upload.upload_file", async (kwargs, ctx) => {
  const kind = kwargs.kind;
  if (kind !== "charge" && kind !== "satisfaction") throw new Error(`'kind' must be charge or satisfaction, got ${JSON.stringify(kind)}.`);
  const index = positiveInt(kwargs.index, "index");
  const container = String(kwargs.container ?? "");
  if (!container) throw new Error("'container' is required.");
  const blobName = mockBlobName(kind, index);
  const lines = mockCsvLines(kind, mockCustomers(String(kwargs.seed), index, createdSeconds(ctx)));
  const blob = blobService(String(kwargs.conn_id ?? "wasb_default")).getContainerClient(container).getBlockBlobClient(blobName);
  await blob.uploadStream(Readable.from(lines), 4 * 1024 * 1024, 2, { abortSignal: ctx.signal, blobHTTPHeaders: { blobContentType: "text/csv" } });
  ctx.log(`Uploaded ${container}/${blobName}.`);
  return `${container}/${blobName}`;
});
