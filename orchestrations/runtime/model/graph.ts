// Graph helpers over task ids and their upstream lists.

/** A cycle as a path that starts and ends at the same task (downstream direction), or null. */
export function findCycle(ids: readonly string[], upstreamOf: (id: string) => readonly string[]): string[] | null {
  const downstream = new Map<string, string[]>(ids.map((id) => [id, []]));
  for (const id of ids) for (const up of upstreamOf(id)) downstream.get(up)?.push(id);
  const color = new Map<string, 0 | 1 | 2>(ids.map((id) => [id, 0]));
  const stack: string[] = [];
  const visit = (id: string): string[] | null => {
    color.set(id, 1);
    stack.push(id);
    for (const next of downstream.get(id) ?? []) {
      if (color.get(next) === 1) return [...stack.slice(stack.indexOf(next)), next];
      if (color.get(next) === 0) {
        const found = visit(next);
        if (found) return found;
      }
    }
    stack.pop();
    color.set(id, 2);
    return null;
  };
  for (const id of ids) {
    if (color.get(id) === 0) {
      const found = visit(id);
      if (found) return found;
    }
  }
  return null;
}

/** Kahn's order, ties broken by the order of `ids` (definition order) so it is stable. */
export function topologicalOrder(ids: readonly string[], upstreamOf: (id: string) => readonly string[]): string[] {
  const position = new Map(ids.map((id, i) => [id, i]));
  const remaining = new Map(ids.map((id) => [id, upstreamOf(id).filter((u) => position.has(u)).length]));
  const downstream = new Map<string, string[]>(ids.map((id) => [id, []]));
  for (const id of ids) for (const up of upstreamOf(id)) downstream.get(up)?.push(id);
  const ready = ids.filter((id) => remaining.get(id) === 0);
  const order: string[] = [];
  while (ready.length > 0) {
    ready.sort((a, b) => (position.get(a) ?? 0) - (position.get(b) ?? 0));
    const id = ready.shift() as string;
    order.push(id);
    for (const next of downstream.get(id) ?? []) {
      const left = (remaining.get(next) ?? 0) - 1;
      remaining.set(next, left);
      if (left === 0) ready.push(next);
    }
  }
  if (order.length !== ids.length) throw new Error("graph has a cycle");
  return order;
}

/** Every task reachable downstream of `id` (not including it). */
export function descendants(id: string, downstreamOf: (id: string) => readonly string[]): Set<string> {
  const seen = new Set<string>();
  const todo = [...downstreamOf(id)];
  while (todo.length > 0) {
    const next = todo.pop() as string;
    if (seen.has(next)) continue;
    seen.add(next);
    todo.push(...downstreamOf(next));
  }
  return seen;
}
