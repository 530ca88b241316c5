// The tutorial's report task: reads what load_table returned (via XCom) and summarises it.
import { registerCallable } from "../activities/callable";

registerCallable("tutorial.report", (kwargs, ctx) => {
  const rows = kwargs.loaded;
  if (!Array.isArray(rows) || rows.length !== 1 || !Array.isArray(rows[0])) {
    throw new Error(`load_table should return one row [ds, days_loaded], got ${JSON.stringify(rows)}.`);
  }
  const [ds, daysLoaded] = rows[0] as [string, number];
  const line = `Loaded ${ds}; the table now holds ${daysLoaded} day(s).`;
  ctx.log(line);
  return { ds, days_loaded: daysLoaded, summary: line };
});
