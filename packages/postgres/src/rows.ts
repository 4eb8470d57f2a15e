import type { AuthorizationModel, TupleKey, TupleKeyWithoutCondition } from '@gatehouse/core';

/** A tuple split into its table columns. */
export interface TupleColumns {
  readonly objectType: string;
  readonly objectId: string;
  readonly relation: string;
  readonly subject: string;
  readonly conditionName: string | null;
  /** The condition context as JSON text, or null. */
  readonly conditionContext: string | null;
}

/** Splits a validated tuple (`object` is `type:id`) into columns. */
export function toColumns(tuple: TupleKey | TupleKeyWithoutCondition): TupleColumns {
  const colon = tuple.object.indexOf(':');
  const condition = 'condition' in tuple ? tuple.condition : undefined;
  return {
    objectType: tuple.object.slice(0, colon),
    objectId: tuple.object.slice(colon + 1),
    relation: tuple.relation,
    subject: tuple.user,
    conditionName: condition?.name ?? null,
    conditionContext: condition?.context === undefined ? null : JSON.stringify(condition.context),
  };
}

/** Builds a tuple from its columns (`context` already parsed by the driver). */
export function fromColumns(
  objectType: string,
  objectId: string,
  relation: string,
  subject: string,
  conditionName: string | null,
  conditionContext: unknown,
): TupleKey {
  const object = `${objectType}:${objectId}`;
  if (conditionName === null) return { user: subject, relation, object };
  const condition =
    conditionContext === null || conditionContext === undefined
      ? { name: conditionName }
      : { name: conditionName, context: conditionContext as Readonly<Record<string, unknown>> };
  return { user: subject, relation, object, condition };
}

/** The model as stored: without its id (the id is the row's). */
export function storedModel(model: AuthorizationModel): Omit<AuthorizationModel, 'id'> {
  const { id: _id, ...rest } = model;
  return rest;
}

/** The model as handed out: with its id. */
export function withId(model: unknown, id: string): AuthorizationModel {
  return { ...(model as Omit<AuthorizationModel, 'id'>), id };
}
