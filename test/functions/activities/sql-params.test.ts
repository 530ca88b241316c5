// psycopg2-style placeholders become bound pg parameters; literals, quoted identifiers and
// comments are left alone; scripts split at top-level semicolons only.
import { test } from "node:test";
import assert from "node:assert/strict";
import { bindParameters, splitStatements } from "../../../functions/activities/sql-params";

test("named placeholders bind once per name, in first-use order", () => {
  const b = bindParameters("SELECT * FROM t WHERE a = %(x)s AND b = %(y)s OR c = %(x)s", { x: 1, y: "two", unused: 3 });
  assert.equal(b.text, "SELECT * FROM t WHERE a = $1 AND b = $2 OR c = $1");
  assert.deepEqual(b.values, [1, "two"]);
});

test("positional %s placeholders bind in order; %% is a percent sign, in literals too (as psycopg2)", () => {
  const b = bindParameters("SELECT %s, %s, 'x' LIKE 'a%%' , 5 %% 2", ["a", "b"]);
  assert.equal(b.text, "SELECT $1, $2, 'x' LIKE 'a%' , 5 % 2");
  assert.deepEqual(b.values, ["a", "b"]);
});

test("placeholders inside literals, quoted identifiers, dollar quotes and comments are not touched", () => {
  const sql = `SELECT '%(x)s', "col%s", $$ %(x)s $$, %(x)s -- %(y)s\n/* %s */`;
  const b = bindParameters(sql, { x: 1 });
  assert.equal(b.text, `SELECT '%(x)s', "col%s", $$ %(x)s $$, $1 -- %(y)s\n/* %s */`);
  assert.deepEqual(b.values, [1]);
});

test("native $n placeholders with a list pass through; mistakes are clear errors", () => {
  assert.deepEqual(bindParameters("SELECT $1, $2", [1, 2]), { text: "SELECT $1, $2", values: [1, 2] });
  assert.throws(() => bindParameters("SELECT %(z)s", { x: 1 }), /SQL parameter 'z' is not given/);
  assert.throws(() => bindParameters("SELECT %s, %s", [1]), /more %s placeholders than the 1/);
  assert.throws(() => bindParameters("SELECT %(x)s", [1]), /not an object/);
  assert.throws(() => bindParameters("SELECT 1", "nope"), /must be a list or an object/);
});

test("scripts split at top-level semicolons only", () => {
  const script = `-- header comment
CREATE TABLE a (x text DEFAULT ';');
INSERT INTO a VALUES ('a;b'); /* ; */
CREATE FUNCTION f() RETURNS int AS $$ BEGIN RETURN 1; END; $$ LANGUAGE plpgsql;
-- trailing comment only
`;
  assert.deepEqual(splitStatements(script), [
    "-- header comment\nCREATE TABLE a (x text DEFAULT ';')",
    "INSERT INTO a VALUES ('a;b')",
    "/* ; */\nCREATE FUNCTION f() RETURNS int AS $$ BEGIN RETURN 1; END; $$ LANGUAGE plpgsql",
  ]);
});
