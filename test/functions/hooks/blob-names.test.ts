// Blob Storage's naming rules, and the names that would leave their container through the URL path.
import { test } from "node:test";
import assert from "node:assert/strict";
import { blobNameProblem, blobPrefixProblem, containerNameProblem } from "../../../functions/hooks/blob-names";

test("ordinary blob names pass", () => {
  for (const name of ["data.csv", "raw/yellow_tripdata/2021-01.parquet", "dag_id=x/run_id=manual__2024-01-01T00:00:00+00:00/attempt=1.log", "a b/ü ñ.json", "x".repeat(1024), ".hidden", "a/.b"]) {
    assert.equal(blobNameProblem(name), null, name);
  }
});

test("names that would leave the container or that Blob Storage alters are refused, saying why", () => {
  const cases: [string, RegExp][] = [
    ["../other-container/x", /'\.\.' path segment/],
    ["a/../../b", /'\.\.' path segment/],
    ["a/./b", /'\.' path segment/],
    ["..", /'\.\.' path segment/],
    ["/etc/passwd", /starts with '\/'/],
    ["a\\..\\b", /'\\'/],
    ["dir/", /ends with '\/'/],
    ["a//b", /empty path segment/],
    ["name.", /segment ending in '\.'/],
    ["dir./x", /segment ending in '\.'/],
    ["tab\there", /control character/],
    ["", /is empty/],
    ["x".repeat(1025), /longer than 1024/],
    [Array(255).fill("s").join("/"), /more than 254 path segments/],
  ];
  for (const [name, why] of cases) assert.match(blobNameProblem(name) ?? "", why, JSON.stringify(name));
});

test("prefixes may be empty, end with '/' or stop inside a segment, and may not climb out", () => {
  for (const prefix of ["", "charge/", "charge/stripe_charge_data_", "input_2024-01-01/", "file."]) assert.equal(blobPrefixProblem(prefix), null, prefix);
  for (const prefix of ["../", "..", "a/../", "/charge/", "a//", "a\\b"]) assert.notEqual(blobPrefixProblem(prefix), null, prefix);
});

test("container names follow Blob Storage's rules", () => {
  for (const name of ["abc", "finance-data", "a1-b2"]) assert.equal(containerNameProblem(name), null);
  for (const name of ["ab", "Upper", "a--b", "-ab", "ab-", "../x", "x".repeat(64)]) assert.notEqual(containerNameProblem(name), null, name);
});
