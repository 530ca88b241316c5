// The finance mock-data generator against seed 000's distributions, tested statistically: each
// proportion or mean must fall within 4.5 standard errors of the spec's value over a large seeded
// sample (a chance failure is about 1 in 150,000 per check; a wrong distribution misses by far
// more). Also: the files' exact shape (columns, csv.writer formatting) and determinism by seed.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  CHARGE_COLUMNS, MockRandom, mockCsvLines, mockCustomer, mockCustomers, mockFile, SATISFACTION_COLUMNS, type ChargeRow, type MockCustomer,
} from "../../../functions/callables/finance-generate-and-upload";

const Z = 4.5;

function assertProportion(hits: number, n: number, p: number, what: string): void {
  const se = Math.sqrt((p * (1 - p)) / n);
  const seen = hits / n;
  assert.ok(Math.abs(seen - p) <= Z * se, `${what}: ${seen.toFixed(4)} over ${n}, expected ${p} ± ${(Z * se).toFixed(4)}`);
}

function assertMean(values: number[], mean: number, sd: number, what: string): void {
  const seen = values.reduce((a, b) => a + b, 0) / values.length;
  const se = sd / Math.sqrt(values.length);
  assert.ok(Math.abs(seen - mean) <= Z * se, `${what}: mean ${seen.toFixed(3)} over ${values.length}, expected ${mean} ± ${(Z * se).toFixed(3)}`);
}

/** Standard deviation of a discrete uniform on lo..hi, and of a continuous one. */
const sdInt = (lo: number, hi: number) => Math.sqrt(((hi - lo + 1) ** 2 - 1) / 12);
const sdUniform = (lo: number, hi: number) => (hi - lo) / Math.sqrt(12);

const CUSTOMERS = 60_000;
const random = new MockRandom("distribution-test");
const customers: MockCustomer[] = Array.from({ length: CUSTOMERS }, () => mockCustomer(random, 1_700_000_000));
const charges: (ChargeRow & { speed: number; product: string })[] = customers.flatMap((c) =>
  c.charges.map((ch) => ({ ...ch, speed: c.satisfaction.customer_satisfaction_speed as number, product: c.satisfaction.product_type as string })));

describe("finance mock data: seed 000's distributions", () => {
  it("100 to 301 customers per file, uniformly", () => {
    const sizes = Array.from({ length: 4000 }, (_, i) => mockFile("sizes", i).customers);
    assert.equal(Math.min(...sizes), 100);
    assert.equal(Math.max(...sizes), 301);
    assertMean(sizes, 200.5, sdInt(100, 301), "customers per file");
    assertProportion(sizes.filter((s) => s === 100).length, sizes.length, 1 / 202, "files with exactly 100 customers");
  });

  it("satisfaction scores are uniform integers 0-10", () => {
    for (const key of ["customer_satisfaction_speed", "customer_satisfaction_product", "customer_satisfaction_service"] as const) {
      const values = customers.map((c) => c.satisfaction[key] as number);
      assert.ok(values.every((v) => Number.isInteger(v) && v >= 0 && v <= 10), `${key} outside 0-10`);
      for (const v of [0, 5, 10]) assertProportion(values.filter((x) => x === v).length, values.length, 1 / 11, `${key} = ${v}`);
      assertMean(values, 5, sdInt(0, 10), key);
    }
  });

  it("product B with p 0.9 when speed >= 6, product A with p 0.9 otherwise", () => {
    const fast = customers.filter((c) => (c.satisfaction.customer_satisfaction_speed as number) >= 6);
    const slow = customers.filter((c) => (c.satisfaction.customer_satisfaction_speed as number) < 6);
    assertProportion(fast.filter((c) => c.satisfaction.product_type === "product_B").length, fast.length, 0.9, "B | speed >= 6");
    assertProportion(slow.filter((c) => c.satisfaction.product_type === "product_A").length, slow.length, 0.9, "A | speed < 6");
    assert.ok(customers.every((c) => c.satisfaction.product_type === "product_A" || c.satisfaction.product_type === "product_B"));
  });

  it("1 charge per customer, 2 with p 0.2, else 3-6 with p 0.3", () => {
    const counts = customers.map((c) => c.charges.length);
    assertProportion(counts.filter((n) => n === 1).length, CUSTOMERS, 0.8 * 0.7, "one charge");
    assertProportion(counts.filter((n) => n === 2).length, CUSTOMERS, 0.2, "two charges");
    for (const n of [3, 4, 5, 6]) assertProportion(counts.filter((x) => x === n).length, CUSTOMERS, (0.8 * 0.3) / 4, `${n} charges`);
    assert.ok(counts.every((n) => n >= 1 && n <= 6));
    // A customer's charges share the customer's id and card country.
    assert.ok(customers.every((c) => c.charges.every((ch) => ch.customer_id === c.satisfaction.customer_id
      && ch.payment_method_details_card_country === c.charges[0].payment_method_details_card_country)));
  });

  it("cards are US with p 0.6, otherwise another two-letter country", () => {
    const countries = customers.map((c) => c.charges[0].payment_method_details_card_country as string);
    assertProportion(countries.filter((c) => c === "US").length, CUSTOMERS, 0.6, "US cards");
    assert.ok(countries.every((c) => /^[A-Z]{2}$/.test(c)));
  });

  it("95% succeed, capturing the whole amount; failures keep part of it and capture nothing", () => {
    const ok = charges.filter((c) => c.status === "succeeded");
    const failed = charges.filter((c) => c.status === "failed");
    assert.equal(ok.length + failed.length, charges.length);
    assertProportion(ok.length, charges.length, 0.95, "succeeded");
    for (const c of ok) {
      assert.deepEqual([c.amount_captured, c.amount_refunded, c.disputed, c.paid, c.outcome_network_status], [c.amount, 0, false, true, "approved_by_network"]);
    }
    for (const c of failed) {
      assert.deepEqual([c.amount_captured, c.disputed, c.paid, c.outcome_network_status], [0, true, false, "declined_by_network"]);
      assert.ok((c.amount as number) >= 1 && (c.amount_refunded as number) <= 50 && (c.amount_refunded as number) >= 0);
    }
    assertMean(failed.map((c) => c.amount_refunded as number), 25, sdInt(0, 50), "refunded on failure");
  });

  it("amounts: base 100-200 times 10-20 (speed >= 6, product B), 5-10 (speed >= 6, A) or 1", () => {
    const ok = charges.filter((c) => c.status === "succeeded");
    const groups = {
      fastB: ok.filter((c) => c.speed >= 6 && c.product === "product_B"),
      fastA: ok.filter((c) => c.speed >= 6 && c.product === "product_A"),
      slow: ok.filter((c) => c.speed < 6),
    };
    const range = (g: typeof ok) => [Math.min(...g.map((c) => c.amount as number)), Math.max(...g.map((c) => c.amount as number))];
    const [bLo, bHi] = range(groups.fastB);
    assert.ok(bLo >= 1000 && bHi < 4000, `fast B amounts ${bLo}-${bHi}`);
    const [aLo, aHi] = range(groups.fastA);
    assert.ok(aLo >= 500 && aHi < 2000, `fast A amounts ${aLo}-${aHi}`);
    assert.deepEqual(range(groups.slow), [100, 200]);
    assertMean(groups.slow.map((c) => c.amount as number), 150, sdInt(100, 200), "amount, speed < 6");
    // int(base * multiplier): E = E[base] * E[mult] - 0.5 for the truncation; sd from the product of independents.
    const sdProduct = (mb: number, sb: number, mm: number, sm: number) => Math.sqrt((sb ** 2 + mb ** 2) * (sm ** 2 + mm ** 2) - (mb * mm) ** 2);
    assertMean(groups.fastB.map((c) => c.amount as number), 150 * 15 - 0.5, sdProduct(150, sdInt(100, 200), 15, sdUniform(10, 20)), "amount, speed >= 6 and B");
    assertMean(groups.fastA.map((c) => c.amount as number), 150 * 7.5 - 0.5, sdProduct(150, sdInt(100, 200), 7.5, sdUniform(5, 10)), "amount, speed >= 6 and A");
  });

  it("the other fields: UUID-based ids, usd, risk levels and scores, card brands, no outcome reason", () => {
    const uuid = "[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}";
    assert.ok(charges.every((c) => new RegExp(`^ch_${uuid}$`).test(c.id as string) && new RegExp(`^pi_${uuid}$`).test(c.payment_intent as string)
      && new RegExp(`^pm_${uuid}$`).test(c.payment_method as string) && new RegExp(`^${uuid}$`).test(c.customer_id as string)));
    assert.equal(new Set(charges.map((c) => c.id)).size, charges.length, "charge ids are unique");
    assert.ok(charges.every((c) => c.currency === "usd" && c.outcome_reason === null && c.created === 1_700_000_000));
    for (const level of ["normal", "elevated", "highest"]) assertProportion(charges.filter((c) => c.outcome_risk_level === level).length, charges.length, 1 / 3, `risk ${level}`);
    for (const brand of ["visa", "mastercard", "amex"]) assertProportion(charges.filter((c) => c.payment_method_details_card_brand === brand).length, charges.length, 1 / 3, brand);
    assertMean(charges.map((c) => c.outcome_risk_score as number), 50, sdInt(0, 100), "risk score");
  });
});

describe("finance mock files", () => {
  it("are the seed's CSVs (csv.writer: True/False, empty None, CRLF) and a pure function of seed and index", () => {
    const charge = [...mockCsvLines("charge", mockCustomers("2024-10-01", 3, 1_727_740_800))].join("");
    const again = [...mockCsvLines("charge", mockCustomers("2024-10-01", 3, 1_727_740_800))].join("");
    const other = [...mockCsvLines("charge", mockCustomers("2024-10-01", 4, 1_727_740_800))].join("");
    assert.equal(charge, again);
    assert.notEqual(charge, other);
    const lines = charge.split("\r\n");
    assert.equal(lines.pop(), "", "the last line ends with CRLF");
    assert.equal(lines[0], CHARGE_COLUMNS.join(","));
    assert.ok(lines.slice(1).every((l) => l.split(",").length === CHARGE_COLUMNS.length), "no field needs quoting, 19 fields a row");
    assert.match(lines[1], /^ch_[0-9a-f-]{36},\d+,\d+,\d+,usd,1727740800,[0-9a-f-]{36},[A-Z][a-z ]+\.,(True|False),\w+_by_network,,\w+,\d+,(True|False),pi_/);
    const satisfaction = [...mockCsvLines("satisfaction", mockCustomers("2024-10-01", 3, 1_727_740_800))].join("").split("\r\n");
    assert.equal(satisfaction[0], SATISFACTION_COLUMNS.join(","));
    // One satisfaction row per customer, and every charge's customer is among them.
    const ids = new Set(satisfaction.slice(1, -1).map((l) => l.split(",")[0]));
    assert.equal(ids.size, mockFile("2024-10-01", 3).customers);
    assert.ok(lines.slice(1).every((l) => ids.has(l.split(",")[6])));
  });
});
