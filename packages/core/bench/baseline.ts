/**
 * The naive baseline: plain JS Maps keyed by the tuple strings, walked by hand for this one
 * workload. It knows the model's shape (a role on the object or any ancestor, directly or through
 * a team, and owner > admin > editor > viewer), so it does no rewrite interpretation at all: a
 * check is one lookup for the object, one for the user's teams, then per ancestor a pointer hop
 * and a lookup in that object's (small) grant map for the user and each of its teams. This is the
 * floor any general evaluator pays. It is skipped at xl (its single object Map would pass 2^24).
 */
import type { BenchEvaluator } from './evaluator';
import { ROLES, type Workload } from './workload';

const RANK: Readonly<Record<string, number>> = Object.fromEntries(ROLES.map((r, i) => [r, i]));
const PARENT_RELATIONS = new Set(['org', 'artist', 'album']);

/** One object: its parent, the roles granted on it, its children (for listObjects). */
interface ObjectNode {
  readonly name: string;
  parent: ObjectNode | undefined;
  /** subject (`user:u1`, `team:tm2#member`) → the highest role rank it holds here. */
  grants: Map<string, number> | undefined;
  children: ObjectNode[] | undefined;
}

/** The baseline's indexes, built from the same tuple stream the engine loads. */
export class MapBaseline implements BenchEvaluator {
  readonly name = 'baseline';
  /** Every object by name; parents are direct references, so walking up costs no lookups. */
  private readonly nodes = new Map<string, ObjectNode>();
  /** user → the `team:x#member` usersets it belongs to. */
  private readonly teams = new Map<string, string[]>();
  /** subject → the objects it holds a role on, for listObjects. */
  private readonly grantsBySubject = new Map<string, { node: ObjectNode; rank: number }[]>();

  /** Loads every tuple of `workload`. */
  constructor(workload: Workload) {
    for (const { object, relation, user } of workload.tuples()) {
      if (PARENT_RELATIONS.has(relation)) {
        const child = this.node(object);
        const parent = this.node(user);
        child.parent = parent;
        (parent.children ??= []).push(child);
      } else if (relation === 'member') {
        const userset = `${object}#member`;
        const list = this.teams.get(user);
        if (list) list.push(userset);
        else this.teams.set(user, [userset]);
      } else {
        const rank = RANK[relation]!;
        const node = this.node(object);
        const grants = (node.grants ??= new Map());
        grants.set(user, Math.max(rank, grants.get(user) ?? -1));
        const list = this.grantsBySubject.get(user);
        if (list) list.push({ node, rank });
        else this.grantsBySubject.set(user, [{ node, rank }]);
      }
    }
  }

  private node(name: string): ObjectNode {
    let node = this.nodes.get(name);
    if (!node) this.nodes.set(name, (node = { name, parent: undefined, grants: undefined, children: undefined }));
    return node;
  }

  check(user: string, relation: string, object: string): boolean {
    const need = RANK[relation];
    if (need === undefined) return false;
    const teams = this.teams.get(user);
    for (let at = this.nodes.get(object); at !== undefined; at = at.parent) {
      const grants = at.grants;
      if (grants === undefined) continue;
      const own = grants.get(user);
      if (own !== undefined && own >= need) return true;
      if (teams !== undefined) {
        for (let i = 0; i < teams.length; i++) {
          const viaTeam = grants.get(teams[i]!);
          if (viaTeam !== undefined && viaTeam >= need) return true;
        }
      }
    }
    return false;
  }

  listObjects(user: string, relation: string, type: string): string[] {
    const need = RANK[relation];
    if (need === undefined) return [];
    const prefix = `${type}:`;
    const found = new Set<string>();
    const walk = (node: ObjectNode): void => {
      if (node.name.startsWith(prefix)) found.add(node.name);
      else if (node.children) for (const child of node.children) walk(child);
    };
    for (const subject of [user, ...(this.teams.get(user) ?? [])]) {
      for (const { node, rank } of this.grantsBySubject.get(subject) ?? []) if (rank >= need) walk(node);
    }
    return [...found];
  }
}
