import type { ReactNode } from 'react';
import { useCheck } from './GatehouseProvider';
import type { ObjectArg, RelationArg, TypeArg } from './types';

/** Props of {@link Can}. */
export interface CanProps<T extends TypeArg> {
  /** The relation the user must have, e.g. `editor`. */
  readonly relation: RelationArg<T>;
  /** The object, `type:id`. */
  readonly object: ObjectArg<T>;
  /** Rendered when the user lacks the relation or the decision is unknown. Default: nothing. */
  readonly fallback?: ReactNode;
  /** Rendered only when the server said the user has the relation. */
  readonly children?: ReactNode;
}

/**
 * Renders `children` only when the current user has `relation` on `object`, `fallback`
 * otherwise, including when the server did not compute that check (fail closed). Hiding a button
 * is a convenience, not a guard: the server must check again when the action runs.
 *
 * @example
 * <Can relation="editor" object={`artist:${id}`} fallback={<span>read only</span>}>
 *   <EditButton />
 * </Can>
 */
export function Can<T extends TypeArg>({ relation, object, fallback = null, children }: CanProps<T>): ReactNode {
  return useCheck<T>(relation, object) ? children : fallback;
}
