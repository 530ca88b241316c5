import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { dag, operator } from "../../../orchestrations/runtime/model/dag";
import { strftime, strptime } from "../../../orchestrations/runtime/time/strftime";
import { buildTemplateContext, render, renderDeep, templateContextFor, TemplateError } from "../../../orchestrations/runtime/templates/templates";

const xcoms: Record<string, Record<string, unknown>> = {
  load_table: { return_value: 42, rows: [1, 2] },
  extract_user: { return_value: { results: [{ name: { first: "Ada" } }] } },
};

const context = buildTemplateContext({
  dagId: "tutorial",
  taskId: "report",
  runId: "scheduled__2023-01-05T06:30:00+00:00",
  runType: "scheduled",
  logicalDate: "2023-01-05T06:30:00",
  dataIntervalStart: "2023-01-05T06:30:00",
  dataIntervalEnd: "2023-01-06T06:30:00",
  conf: { message: "hello", table: "from_conf" },
  dagParams: { table: "dag_table", schema: "public", limit: 10 },
  taskParams: { schema: "task_schema" },
  tryNumber: 2,
  xcom: (taskId, key) => xcoms[taskId]?.[key],
});

const r = (template: string) => render(template, context);

describe("template variables", () => {
  it("ds, ds_nodash, ts, ts_nodash, ts_nodash_with_tz", () => {
    assert.equal(r("{{ ds }}"), "2023-01-05");
    assert.equal(r("{{ ds_nodash }}"), "20230105");
    assert.equal(r("{{ ts }}"), "2023-01-05T06:30:00+00:00");
    assert.equal(r("{{ ts_nodash }}"), "20230105T063000");
    assert.equal(r("{{ ts_nodash_with_tz }}"), "20230105T063000+0000");
  });

  it("logical_date and the data interval print like pendulum", () => {
    assert.equal(r("{{ logical_date }}"), "2023-01-05T06:30:00+00:00");
    assert.equal(r("{{ execution_date }}"), "2023-01-05T06:30:00+00:00");
    assert.equal(r("{{ data_interval_start }}"), "2023-01-05T06:30:00+00:00");
    assert.equal(r("{{ data_interval_end }}"), "2023-01-06T06:30:00+00:00");
    assert.equal(r("{{ logical_date.year }}-{{ logical_date.month }}"), "2023-1");
  });

  it("run_id, dag_run, dag, task, ti", () => {
    assert.equal(r("{{ run_id }}"), "scheduled__2023-01-05T06:30:00+00:00");
    assert.equal(r("{{ dag_run.run_id }} {{ dag_run.run_type }}"), "scheduled__2023-01-05T06:30:00+00:00 scheduled");
    assert.equal(r("{{ dag.dag_id }}.{{ task.task_id }} try {{ ti.try_number }} map {{ ti.map_index }}"), "tutorial.report try 2 map -1");
  });

  it("dag_run.conf by attribute, index and .get()", () => {
    assert.equal(r("Upstream message: {{ dag_run.conf.message }}"), "Upstream message: hello");
    assert.equal(r("{{ dag_run.conf['message'] }}"), "hello");
    assert.equal(r("{{ dag_run.conf.get('missing', 'fallback') }}"), "fallback");
    assert.equal(r("{{ dag_run.conf }}"), "{'message': 'hello', 'table': 'from_conf'}");
  });

  it("params: DAG params < task params < conf", () => {
    assert.equal(r("{{ params.schema }}"), "task_schema");
    assert.equal(r("{{ params.table }}"), "from_conf");
    assert.equal(r("{{ params.limit }}"), "10");
    assert.equal(r("{{ params['limit'] + 5 }}"), "15");
  });

  it("params from a compiled DAG", () => {
    const d = dag({
      dagId: "p", schedule: null, params: { a: 1, b: 1 },
      tasks: (t) => { t.task("x", operator("noop", {}), { params: { b: 2, c: 2 } }); },
    });
    const ctx = templateContextFor(d, {
      taskId: "x", runId: "manual__2023-01-01T00:00:00+00:00", logicalDate: "2023-01-01",
      dataIntervalStart: "2023-01-01", dataIntervalEnd: "2023-01-01", conf: { c: 3 },
    });
    assert.equal(render("{{ params.a }}{{ params.b }}{{ params.c }}", ctx), "123");
    assert.equal(render("{{ dag_run.run_type }}", ctx), "manual");
  });

  it("ti.xcom_pull by task_ids and key", () => {
    assert.equal(r("{{ ti.xcom_pull(task_ids='load_table') }}"), "42");
    assert.equal(r("{{ task_instance.xcom_pull('load_table', key='rows') }}"), "[1, 2]");
    assert.equal(r("{{ ti.xcom_pull(task_ids=['load_table', 'nothing']) }}"), "[42, None]");
    assert.equal(r("{{ ti.xcom_pull(task_ids='extract_user')['results'][0]['name']['first'] }}"), "Ada");
    assert.equal(r("{{ ti.xcom_pull(task_ids='nothing') }}"), "None");
  });
});

describe("macros and filters", () => {
  it("macros.ds_add and macros.ds_format", () => {
    assert.equal(r("{{ macros.ds_add(ds, 7) }}"), "2023-01-12");
    assert.equal(r("{{ macros.ds_add(ds, -5) }}"), "2022-12-31");
    assert.equal(r("{{ macros.ds_add('2024-02-28', 1) }}"), "2024-02-29");
    assert.equal(r("{{ macros.ds_format(ds, '%Y-%m-%d', '%d/%m/%Y') }}"), "05/01/2023");
    assert.equal(r("{{ macros.ds_format('20230105', '%Y%m%d', '%b %d, %Y') }}"), "Jan 05, 2023");
  });

  it("| ds, | ts and friends on date-times", () => {
    assert.equal(r("{{ data_interval_end | ds }}"), "2023-01-06");
    assert.equal(r("{{ data_interval_end | ts }}"), "2023-01-06T06:30:00+00:00");
    assert.equal(r("{{ data_interval_end | ds_nodash }}"), "20230106");
    assert.equal(r("{{ data_interval_end | ts_nodash }}"), "20230106T063000");
  });

  it("Jinja built-ins: default, upper, lower, replace, tojson, length, join", () => {
    assert.equal(r("{{ params.nope | default('x') }}"), "x");
    assert.equal(r("{{ undefined_name | d('y') }}"), "y");
    assert.equal(r("{{ dag_run.conf.message | upper }}"), "HELLO");
    assert.equal(r("{{ ds | replace('-', '') }}"), "20230105");
    assert.equal(r("{{ dag_run.conf | tojson }}"), '{"message":"hello","table":"from_conf"}');
    assert.equal(r("{{ ti.xcom_pull('load_table', key='rows') | length }}"), "2");
    assert.equal(r("{{ ['a', 'b'] | join('/') }}"), "a/b");
  });

  it("expressions: ~, arithmetic, comparisons, conditionals, string methods", () => {
    assert.equal(r("{{ 'raw/' ~ ds ~ '.parquet' }}"), "raw/2023-01-05.parquet");
    assert.equal(r("{{ 2 * 3 + 1 }} {{ 7 // 2 }} {{ 7 % 3 }} {{ -1 }}"), "7 3 1 -1");
    assert.equal(r("{{ 'yes' if params.limit > 5 else 'no' }}"), "yes");
    assert.equal(r("{{ 'message' in dag_run.conf and not false }}"), "True");
    assert.equal(r("{{ ds.replace('-', '_').upper() }}"), "2023_01_05");
    assert.equal(r("{{ None }} {{ true }}"), "None True");
  });

  it("text outside placeholders is kept; comments are dropped", () => {
    assert.equal(r("SELECT * FROM t WHERE d = '{{ ds }}' {# the day #}-- ok"), "SELECT * FROM t WHERE d = '2023-01-05' -- ok");
    assert.equal(r("no placeholders"), "no placeholders");
  });

  it("renderDeep renders every string in a config", () => {
    assert.deepEqual(renderDeep({ path: "raw/{{ ds }}", n: 1, list: ["{{ ds_nodash }}", true] }, context), { path: "raw/2023-01-05", n: 1, list: ["20230105", true] });
  });
});

describe("strftime", () => {
  it("logical_date.strftime('%Y-%m') and common directives", () => {
    assert.equal(r("{{ logical_date.strftime('%Y-%m') }}"), "2023-01");
    const ms = Date.UTC(2023, 0, 5, 6, 30, 9, 120);
    assert.equal(strftime(ms, "%Y-%m-%d %H:%M:%S.%f"), "2023-01-05 06:30:09.120000");
    assert.equal(strftime(ms, "%y %b %B %a %A %j %p %I %w %u %z %Z"), "23 Jan January Thu Thursday 005 AM 06 4 4 +0000 UTC");
    assert.equal(strftime(ms, "%-d/%-m %% %F %T"), "5/1 % 2023-01-05 06:30:09");
    assert.equal(strftime(Date.UTC(2023, 0, 1, 18), "%I %p"), "06 PM");
    assert.throws(() => strftime(ms, "%Q"), /unsupported strftime directive %Q/);
  });

  it("strptime round trips and rejects mismatches", () => {
    assert.equal(strptime("2023-01-05", "%Y-%m-%d"), Date.UTC(2023, 0, 5));
    assert.equal(strptime("05 Jan 2023 06:30 PM", "%d %b %Y %I:%M %p"), Date.UTC(2023, 0, 5, 18, 30));
    assert.throws(() => strptime("2023/01/05", "%Y-%m-%d"), /does not match format/);
    assert.throws(() => strptime("2023-02-30", "%Y-%m-%d"), /does not match format/);
  });
});

describe("template errors", () => {
  const fails = (template: string, pattern: RegExp) => assert.throws(() => r(template), (error: unknown) => {
    assert.ok(error instanceof TemplateError, String(error));
    assert.match(error.message, pattern);
    return true;
  });

  it("an unknown variable names it", () => {
    fails("{{ dss }}", /^'dss' is undefined in \{\{ dss \}\}$/);
    fails("{{ macros.ds_add(nope, 1) }}", /'nope' is undefined/);
  });

  it("an unknown attribute, a non-callable, a bad filter, bad syntax", () => {
    fails("{{ params.missing }}", /'params' has no attribute 'missing'/);
    fails("{{ dag_run.conf.message() }}", /'dag_run.conf.message' is not callable/);
    fails("{{ ds | nope }}", /no filter named 'nope'/);
    fails("{{ ds +  }}", /unexpected end/);
    fails("{{ ds ", /unclosed/);
    fails("{% if x %}y{% endif %}", /statement blocks are not supported/);
    fails("{{ logical_date.constructor }}", /no attribute 'constructor'/);
    fails("{{ ds.constructor }}", /no attribute 'constructor'/);
  });
});
