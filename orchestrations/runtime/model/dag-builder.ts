import type { GroupSpec, SensorOptions, TaskOptions, TaskSpec } from "./dag-definition";
import type { OperatorRef } from "./operator";
import { DEFAULT_XCOM_KEY, XComRef, xcomRef } from "./xcom-ref";

// The builder a DAG file's `tasks: (t) => {...}` callback receives, and the refs it hands out.
// Edges follow Airflow's bitshift semantics: a group used as an upstream means its leaves, as a
// downstream its roots, both taken when the edge is drawn (as Airflow does).

export type DependencyNode = TaskRef | GroupRef;
export type Dependable = DependencyNode | NodeList | readonly DependencyNode[];

interface GroupState {
  spec: Omit<GroupSpec, "taskIds">;
  /** Every task in the group, nested groups included. */
  members: TaskSpec[];
}

class DagGraphState {
  readonly tasks: TaskSpec[] = [];
  readonly groups: GroupState[] = [];

  addTask(spec: TaskSpec, groupPath: readonly GroupState[]): void {
    this.tasks.push(spec);
    for (const group of groupPath) group.members.push(spec);
  }

  upstreamSide(node: DependencyNode): TaskSpec[] {
    if (node instanceof TaskRef) return [node.spec];
    const members = new Set(node.state.members.map((m) => m.taskId));
    // Leaves: members no other member depends on.
    return node.state.members.filter((m) => !node.state.members.some((o) => o.upstream.includes(m.taskId) && members.has(o.taskId)));
  }

  downstreamSide(node: DependencyNode): TaskSpec[] {
    if (node instanceof TaskRef) return [node.spec];
    const members = new Set(node.state.members.map((m) => m.taskId));
    return node.state.members.filter((m) => !m.upstream.some((id) => members.has(id)));
  }

  connect(from: DependencyNode, to: DependencyNode): void {
    const upstreams = this.upstreamSide(from);
    for (const downstream of this.downstreamSide(to)) {
      for (const upstream of upstreams) {
        if (!downstream.upstream.includes(upstream.taskId)) downstream.upstream.push(upstream.taskId);
      }
    }
  }
}

function nodesOf(target: Dependable): readonly DependencyNode[] {
  if (target instanceof NodeList) return target.nodes;
  if (Array.isArray(target)) return target as readonly DependencyNode[];
  return [target as DependencyNode];
}

function connectAll(from: Dependable, to: Dependable): void {
  for (const a of nodesOf(from)) for (const b of nodesOf(to)) a.graph.connect(a, b);
}

abstract class NodeBase {
  abstract readonly graph: DagGraphState;

  /** `this >> target`; returns the target so calls chain like Airflow's `a >> b >> c`. */
  then<T extends DependencyNode>(target: T): T;
  then(targets: NodeList | readonly DependencyNode[]): NodeList;
  then(target: Dependable): DependencyNode | NodeList {
    connectAll(this as unknown as DependencyNode, target);
    return target instanceof NodeBase || target instanceof NodeList ? target : new NodeList(target as readonly DependencyNode[]);
  }

  /** `this << source`: source runs before this. Returns the source. */
  after<T extends DependencyNode>(source: T): T;
  after(sources: NodeList | readonly DependencyNode[]): NodeList;
  after(source: Dependable): DependencyNode | NodeList {
    connectAll(source, this as unknown as DependencyNode);
    return source instanceof NodeBase || source instanceof NodeList ? source : new NodeList(source as readonly DependencyNode[]);
  }
}

export class TaskRef extends NodeBase {
  /** @internal */
  constructor(readonly graph: DagGraphState, readonly spec: TaskSpec) {
    super();
  }
  get taskId(): string {
    return this.spec.taskId;
  }
  /** The task's return value, as Airflow's `task.output`; using it in a config or expand adds the dependency. */
  get output(): XComRef {
    return xcomRef(this.spec.taskId, DEFAULT_XCOM_KEY);
  }
  xcom(key: string): XComRef {
    return xcomRef(this.spec.taskId, key);
  }
}

export class GroupRef extends NodeBase {
  /** @internal */
  constructor(readonly graph: DagGraphState, readonly state: GroupState) {
    super();
  }
  get groupId(): string {
    return this.state.spec.groupId;
  }
}

/** A list of nodes as one side of an edge: `[a, b] >> c` is `t.list(a, b).then(c)` or `a.then([b, c])`. */
export class NodeList {
  constructor(readonly nodes: readonly DependencyNode[]) {}
  then<T extends DependencyNode>(target: T): T;
  then(targets: NodeList | readonly DependencyNode[]): NodeList;
  then(target: Dependable): DependencyNode | NodeList {
    connectAll(this, target);
    return target instanceof NodeBase || target instanceof NodeList ? target : new NodeList(target as readonly DependencyNode[]);
  }
}

export interface GroupOptions {
  /** Airflow's prefix_group_id: ids inside are `group.task` (default true). */
  prefixGroupId?: boolean;
}

export interface TaskBuilder {
  task(taskId: string, op: OperatorRef, options?: TaskOptions): TaskRef;
  /** A branch task: its result names the downstream task(s) to follow (see branching.ts). */
  branch(taskId: string, op: OperatorRef, options?: TaskOptions): TaskRef;
  sensor(taskId: string, op: OperatorRef, options?: TaskOptions & SensorOptions): TaskRef;
  group(groupId: string, body: (g: TaskBuilder) => void, options?: GroupOptions): GroupRef;
  chain(...items: Dependable[]): void;
  list(...nodes: DependencyNode[]): NodeList;
}

class ScopedBuilder implements TaskBuilder {
  constructor(
    private readonly graph: DagGraphState,
    private readonly path: readonly GroupState[],
    private readonly prefix: string,
  ) {}

  private add(kind: TaskSpec["kind"], taskId: string, op: OperatorRef, options: TaskOptions & SensorOptions): TaskRef {
    const spec: TaskSpec = {
      taskId: `${this.prefix}${taskId}`,
      kind,
      op,
      options,
      upstream: [],
      groupId: this.path.length === 0 ? null : this.path[this.path.length - 1].spec.groupId,
    };
    this.graph.addTask(spec, this.path);
    return new TaskRef(this.graph, spec);
  }

  task(taskId: string, op: OperatorRef, options: TaskOptions = {}): TaskRef {
    return this.add("operator", taskId, op, options);
  }
  branch(taskId: string, op: OperatorRef, options: TaskOptions = {}): TaskRef {
    return this.add("branch", taskId, op, options);
  }
  sensor(taskId: string, op: OperatorRef, options: TaskOptions & SensorOptions = {}): TaskRef {
    return this.add("sensor", taskId, op, options);
  }

  group(groupId: string, body: (g: TaskBuilder) => void, options: GroupOptions = {}): GroupRef {
    const parent = this.path.length === 0 ? null : this.path[this.path.length - 1].spec.groupId;
    const state: GroupState = { spec: { groupId: `${this.prefix}${groupId}`, parentId: parent }, members: [] };
    this.graph.groups.push(state);
    const innerPrefix = options.prefixGroupId === false ? this.prefix : `${this.prefix}${groupId}.`;
    body(new ScopedBuilder(this.graph, [...this.path, state], innerPrefix));
    return new GroupRef(this.graph, state);
  }

  chain(...items: Dependable[]): void {
    chain(...items);
  }

  list(...nodes: DependencyNode[]): NodeList {
    return new NodeList(nodes);
  }
}

/**
 * Airflow's chain(): consecutive items are linked; a node and a list fan out or in; two adjacent
 * lists must have the same length and are linked pairwise.
 */
export function chain(...items: Dependable[]): void {
  for (let i = 0; i + 1 < items.length; i++) {
    const left = items[i], right = items[i + 1];
    const leftIsList = Array.isArray(left) || left instanceof NodeList;
    const rightIsList = Array.isArray(right) || right instanceof NodeList;
    if (leftIsList && rightIsList) {
      const a = nodesOf(left), b = nodesOf(right);
      if (a.length !== b.length) throw new Error(`chain(): adjacent lists must have the same length, got ${a.length} and ${b.length}`);
      for (let k = 0; k < a.length; k++) a[k].graph.connect(a[k], b[k]);
    } else {
      connectAll(left, right);
    }
  }
}

/** Airflow's cross_downstream(): every task of `from` before every task of `to`. */
export function crossDownstream(from: readonly DependencyNode[], to: readonly DependencyNode[]): void {
  connectAll(from, to);
}

/** Runs a DAG file's tasks callback and returns what it declared. */
export function buildTaskGraph(body: (t: TaskBuilder) => void): { tasks: TaskSpec[]; groups: GroupSpec[] } {
  const graph = new DagGraphState();
  body(new ScopedBuilder(graph, [], ""));
  return {
    tasks: graph.tasks,
    groups: graph.groups.map((g) => ({ ...g.spec, taskIds: g.members.map((m) => m.taskId) })),
  };
}
