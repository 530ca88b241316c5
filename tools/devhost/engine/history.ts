// History events in the shape the Durable extension sends to the JS SDK (PascalCase fields,
// numeric EventType). Only completion events drive the SDK's replay; the scheduling events are
// what make an instance resumable after a restart and readable in status queries.

export enum EventType {
  ExecutionStarted = 0,
  ExecutionCompleted = 1,
  ExecutionTerminated = 3,
  TaskScheduled = 4,
  TaskCompleted = 5,
  TaskFailed = 6,
  SubOrchestrationInstanceCreated = 7,
  SubOrchestrationInstanceCompleted = 8,
  SubOrchestrationInstanceFailed = 9,
  TimerCreated = 10,
  TimerFired = 11,
  OrchestratorStarted = 12,
  OrchestratorCompleted = 13,
  EventRaised = 15,
  ContinueAsNew = 16,
}

/** FailureDetails as the SDK reads them (taskFailedErrorFromWireDto). */
export interface FailureDetails {
  ErrorType: string;
  ErrorMessage: string;
  StackTrace?: string;
  IsNonRetriable?: boolean;
  Properties?: Record<string, unknown>;
  InnerFailure?: FailureDetails;
}

export interface HistoryEvent {
  EventType: EventType;
  EventId: number;
  IsPlayed: boolean;
  /** A Date in memory (the SDK compares Timestamps as Dates); an ISO string on disk. */
  Timestamp: Date;
  Name?: string;
  Input?: string;
  Result?: string;
  TaskScheduledId?: number;
  TimerId?: number;
  FireAt?: Date | string;
  InstanceId?: string;
  Reason?: string;
  Details?: string;
  FailureDetails?: FailureDetails;
  OrchestrationStatus?: string;
  OrchestrationInstance?: { InstanceId: string; ExecutionId: string };
  ParentInstance?: { OrchestrationInstance: { InstanceId: string }; TaskScheduleId: number; Name: string };
}

const NO_ID = -1;

function base(type: EventType, at: Date, eventId = NO_ID): HistoryEvent {
  return { EventType: type, EventId: eventId, IsPlayed: false, Timestamp: at };
}

/** JSON text for a value, "null" for undefined, as the extension stores results and inputs. */
export function toJsonText(value: unknown): string {
  const text = JSON.stringify(value);
  return text === undefined ? "null" : text;
}

export function failureDetailsOf(err: unknown): FailureDetails {
  if (err instanceof Error) return { ErrorType: err.name || "Error", ErrorMessage: err.message, StackTrace: err.stack };
  return { ErrorType: "Error", ErrorMessage: typeof err === "string" ? err : toJsonText(err) };
}

/** What TaskFailed and SubOrchestrationInstanceFailed both carry: the SDK reads either form. */
function failedFields(id: number, failure: FailureDetails): Partial<HistoryEvent> {
  return { TaskScheduledId: id, Reason: failure.ErrorMessage, Details: failure.StackTrace ?? "", FailureDetails: failure };
}

export const events = {
  orchestratorStarted: (at: Date) => base(EventType.OrchestratorStarted, at),
  orchestratorCompleted: (at: Date) => base(EventType.OrchestratorCompleted, at),
  executionStarted: (at: Date, name: string, input: unknown, instanceId: string, executionId: string, parent?: HistoryEvent["ParentInstance"]) => ({
    ...base(EventType.ExecutionStarted, at),
    Name: name,
    Input: toJsonText(input),
    OrchestrationInstance: { InstanceId: instanceId, ExecutionId: executionId },
    ParentInstance: parent,
  }),
  executionCompleted: (at: Date, status: string, result: unknown, failure?: FailureDetails) => ({
    ...base(EventType.ExecutionCompleted, at),
    OrchestrationStatus: status,
    Result: toJsonText(result),
    FailureDetails: failure,
  }),
  executionTerminated: (at: Date, reason: string) => ({ ...base(EventType.ExecutionTerminated, at), Input: toJsonText(reason) }),
  taskScheduled: (at: Date, id: number, name: string, input: unknown) => ({ ...base(EventType.TaskScheduled, at, id), Name: name, Input: toJsonText(input) }),
  taskCompleted: (at: Date, id: number, result: unknown) => ({ ...base(EventType.TaskCompleted, at), TaskScheduledId: id, Result: toJsonText(result) }),
  taskFailed: (at: Date, id: number, failure: FailureDetails) => ({ ...base(EventType.TaskFailed, at), ...failedFields(id, failure) }),
  /** As the extension records a JavaScript activity's failure: Reason and Details, no FailureDetails. */
  taskFailedWithReason: (at: Date, id: number, reason: string, details: string) => ({ ...base(EventType.TaskFailed, at), TaskScheduledId: id, Reason: reason, Details: details }),
  subOrchestrationCreated: (at: Date, id: number, name: string, instanceId: string, input: unknown) => ({
    ...base(EventType.SubOrchestrationInstanceCreated, at, id),
    Name: name,
    InstanceId: instanceId,
    Input: toJsonText(input),
  }),
  subOrchestrationCompleted: (at: Date, id: number, result: unknown) => ({ ...base(EventType.SubOrchestrationInstanceCompleted, at), TaskScheduledId: id, Result: toJsonText(result) }),
  subOrchestrationFailed: (at: Date, id: number, failure: FailureDetails) => ({
    ...base(EventType.SubOrchestrationInstanceFailed, at),
    ...failedFields(id, failure),
  }),
  subOrchestrationFailedWithReason: (at: Date, id: number, reason: string, details: string) => ({
    ...base(EventType.SubOrchestrationInstanceFailed, at),
    TaskScheduledId: id,
    Reason: reason,
    Details: details,
  }),
  timerCreated: (at: Date, id: number, fireAt: Date) => ({ ...base(EventType.TimerCreated, at, id), FireAt: fireAt }),
  timerFired: (at: Date, id: number, fireAt: Date) => ({ ...base(EventType.TimerFired, at), TimerId: id, FireAt: fireAt }),
  eventRaised: (at: Date, name: string, input: unknown) => ({ ...base(EventType.EventRaised, at), Name: name, Input: toJsonText(input) }),
};

/** Ids whose completion (TaskCompleted/Failed, TimerFired, SubOrchestration*) is in `history`. */
export function completedIds(history: HistoryEvent[]): Set<number> {
  const done = new Set<number>();
  for (const e of history) {
    if (e.TaskScheduledId !== undefined) done.add(e.TaskScheduledId);
    else if (e.TimerId !== undefined) done.add(e.TimerId);
  }
  return done;
}

/** Serialisable copy (Dates as ISO strings) for stores and the HTTP API. */
export function toStoredEvent(e: HistoryEvent): Record<string, unknown> {
  return { ...e, Timestamp: e.Timestamp.toISOString(), FireAt: e.FireAt instanceof Date ? e.FireAt.toISOString() : e.FireAt };
}

export function fromStoredEvent(raw: Record<string, unknown>): HistoryEvent {
  const e = raw as unknown as HistoryEvent & { Timestamp: string | Date; FireAt?: string | Date };
  return { ...e, Timestamp: new Date(e.Timestamp), FireAt: e.FireAt === undefined ? undefined : new Date(e.FireAt) };
}
