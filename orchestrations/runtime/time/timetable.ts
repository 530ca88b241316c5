import { cronMatches, cronNext, cronPrev, cronPrevOrAt, parseCron } from "./cron";
import type { CompiledDag } from "../model/compiled-dag";
import type { CompiledSchedule } from "./schedule";
import { InstantInput, parseInstant } from "./time";

// Airflow 2.10's timetables (airflow/timetables/*): CronDataIntervalTimetable for cron and presets,
// DeltaDataIntervalTimetable for fixed intervals, OnceTimetable, NullTimetable. All instants are
// UTC epoch milliseconds; `now` is always an argument (the orchestration's current time).

/** A run's data interval [start, end); logical_date = start. */
export interface DataInterval {
  start: number;
  end: number;
}

export interface DagRunInfo {
  logicalDate: number;
  dataInterval: DataInterval;
  /** The run may be created once now >= runAfter (the data interval's end). */
  runAfter: number;
}

export interface TimeRestriction {
  earliest: number | null;
  latest: number | null;
  catchup: boolean;
}

export interface Timetable {
  readonly kind: CompiledSchedule["kind"];
  /** Next schedule point strictly after `ms` (null: this timetable has no points). */
  next(ms: number): number | null;
  /** Schedule point at or before `ms`. */
  prevAtOrBefore(ms: number): number | null;
  /** The data interval of a scheduled run at `logicalDate`. */
  dataIntervalFor(logicalDate: number): DataInterval;
  /** Airflow's next_dagrun_info: the run after `last` (or the first), or null. */
  nextRunInfo(last: DataInterval | null, restriction: TimeRestriction, nowMs: number): DagRunInfo | null;
  /** Airflow's infer_manual_data_interval for a manual run at `runAfter`. */
  manualDataInterval(runAfter: number): DataInterval;
}

/** The shared logic of the cron and fixed-delta timetables (Airflow's _DataIntervalTimetable). */
function dataIntervalTimetable(
  kind: "cron" | "interval",
  ops: {
    getNext(ms: number): number;
    getPrev(ms: number): number;
    alignToNext(ms: number): number;
    alignToPrev(ms: number): number;
    skipToLatest(earliest: number | null, nowMs: number): number;
    manualDataInterval(runAfter: number): DataInterval;
  },
): Timetable {
  return {
    kind,
    next: ops.getNext,
    prevAtOrBefore: ops.alignToPrev,
    dataIntervalFor: (logicalDate) => ({ start: logicalDate, end: ops.getNext(logicalDate) }),
    manualDataInterval: ops.manualDataInterval,
    nextRunInfo(last, restriction, nowMs) {
      let earliest = restriction.earliest;
      if (!restriction.catchup) earliest = ops.skipToLatest(earliest, nowMs);
      else if (earliest !== null) earliest = ops.alignToNext(earliest);
      let start: number;
      if (last === null) {
        if (earliest === null) return null;
        start = earliest;
      } else {
        const alignedLastEnd = ops.alignToPrev(last.end);
        start = earliest === null ? alignedLastEnd : Math.max(alignedLastEnd, earliest);
      }
      if (restriction.latest !== null && start > restriction.latest) return null;
      const end = ops.getNext(start);
      return { logicalDate: start, dataInterval: { start, end }, runAfter: end };
    },
  };
}

function cronTimetable(expression: string): Timetable {
  const cron = parseCron(expression);
  const getNext = (ms: number) => cronNext(cron, ms);
  const getPrev = (ms: number) => cronPrev(cron, ms);
  const alignToNext = (ms: number) => (cronMatches(cron, ms) ? ms : getNext(ms));
  const alignToPrev = (ms: number) => cronPrevOrAt(cron, ms);
  return dataIntervalTimetable("cron", {
    getNext, getPrev, alignToNext, alignToPrev,
    // The latest interval that has completed by now.
    skipToLatest(earliest, nowMs) {
      const lastStart = getPrev(nowMs);
      const nextStart = getNext(lastStart);
      const newStart = nextStart === nowMs ? lastStart : getPrev(lastStart);
      return earliest === null ? newStart : Math.max(newStart, alignToNext(earliest));
    },
    manualDataInterval(runAfter) {
      const start = getPrev(alignToPrev(runAfter));
      return { start, end: getNext(start) };
    },
  });
}

function deltaTimetable(seconds: number): Timetable {
  const delta = seconds * 1000;
  return dataIntervalTimetable("interval", {
    getNext: (ms) => ms + delta,
    getPrev: (ms) => ms - delta,
    alignToNext: (ms) => ms,
    alignToPrev: (ms) => ms,
    skipToLatest: (earliest, nowMs) => (earliest === null ? nowMs - delta : Math.max(nowMs - delta, earliest)),
    manualDataInterval: (runAfter) => ({ start: runAfter - delta, end: runAfter }),
  });
}

const onceTimetable: Timetable = {
  kind: "once",
  next: () => null,
  prevAtOrBefore: () => null,
  dataIntervalFor: (logicalDate) => ({ start: logicalDate, end: logicalDate }),
  manualDataInterval: (runAfter) => ({ start: runAfter, end: runAfter }),
  nextRunInfo(last, restriction) {
    if (last !== null || restriction.earliest === null) return null;
    if (restriction.latest !== null && restriction.earliest > restriction.latest) return null;
    const at = restriction.earliest;
    return { logicalDate: at, dataInterval: { start: at, end: at }, runAfter: at };
  },
};

const manualTimetable: Timetable = {
  kind: "manual",
  next: () => null,
  prevAtOrBefore: () => null,
  dataIntervalFor: (logicalDate) => ({ start: logicalDate, end: logicalDate }),
  manualDataInterval: (runAfter) => ({ start: runAfter, end: runAfter }),
  nextRunInfo: () => null,
};

export function timetableFor(schedule: CompiledSchedule): Timetable {
  switch (schedule.kind) {
    case "cron": return cronTimetable(schedule.expression);
    case "interval": return deltaTimetable(schedule.seconds);
    case "once": return onceTimetable;
    case "manual": return manualTimetable;
  }
}

function dagRestriction(dag: CompiledDag, catchup: boolean): TimeRestriction {
  return {
    earliest: dag.startDate === null ? null : parseInstant(dag.startDate),
    latest: dag.endDate === null ? null : parseInstant(dag.endDate),
    catchup,
  };
}

/**
 * The scheduled runs to create now, oldest first: with catchup every interval from start_date
 * whose end has passed; without it only the latest completed interval. `lastAutomated` is the data
 * interval of the newest scheduled run that exists (null before the first).
 */
export function scheduledRunsDue(
  dag: CompiledDag,
  options: { now: InstantInput; lastAutomated: DataInterval | null; limit?: number },
): DagRunInfo[] {
  const nowMs = parseInstant(options.now);
  const timetable = timetableFor(dag.schedule);
  const restriction = dagRestriction(dag, dag.catchup);
  const limit = options.limit ?? 1000;
  const due: DagRunInfo[] = [];
  let last = options.lastAutomated;
  while (due.length < limit) {
    const info = timetable.nextRunInfo(last, restriction, nowMs);
    if (info === null || info.runAfter > nowMs) break;
    due.push(info);
    if (timetable.kind === "once") break;
    last = info.dataInterval;
  }
  return due;
}

/** The next scheduled run after `lastAutomated` whether or not it is due (for timers and the API). */
export function nextScheduledRun(dag: CompiledDag, lastAutomated: DataInterval | null, now: InstantInput): DagRunInfo | null {
  return timetableFor(dag.schedule).nextRunInfo(lastAutomated, dagRestriction(dag, dag.catchup), parseInstant(now));
}

/** `dags backfill -s START -e END`: every schedule point in [start, end], inclusive, catchup or not. */
export function backfillRuns(dag: CompiledDag, start: InstantInput, end: InstantInput, limit = 10_000): DagRunInfo[] {
  const timetable = timetableFor(dag.schedule);
  const restriction: TimeRestriction = { earliest: parseInstant(start), latest: parseInstant(end), catchup: true };
  const runs: DagRunInfo[] = [];
  let last: DataInterval | null = null;
  while (runs.length < limit) {
    // `now` plays no part when catchup is true.
    const info = timetable.nextRunInfo(last, restriction, restriction.latest ?? 0);
    if (info === null) break;
    runs.push(info);
    if (timetable.kind === "once") break;
    last = info.dataInterval;
  }
  return runs;
}

/** A manual run (API or `dags trigger`): logical_date as given, data interval inferred from it. */
export function manualRunInfo(dag: CompiledDag, logicalDate: InstantInput): DagRunInfo {
  const at = parseInstant(logicalDate);
  return { logicalDate: at, dataInterval: timetableFor(dag.schedule).manualDataInterval(at), runAfter: at };
}
