import type { ObjectString, ObjectType, RelationOf, Schema } from '@gatehouse/core';

/**
 * Register your model's schema to type `<Can>`, `useCheck`, `useDecision` and `useObjects`:
 * `declare module '@gatehouse/react' { interface Register { schema: InferSchema<typeof model> } }`.
 */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface Register {}

/** The registered schema (see {@link Register}), or any schema when none is registered. */
export type RegisteredSchema = Register extends { schema: infer S extends Schema } ? S : Schema;

/** A relation of type `T` of the registered schema; any string when no schema is registered. */
export type RelationArg<T extends ObjectType<RegisteredSchema>> = string extends ObjectType<RegisteredSchema>
  ? string
  : RelationOf<RegisteredSchema, T>;

/** An object `T:id` of the registered schema; any string when no schema is registered. */
export type ObjectArg<T extends ObjectType<RegisteredSchema>> = string extends ObjectType<RegisteredSchema>
  ? string
  : ObjectString<RegisteredSchema, T>;

/** A type of the registered schema; any string when no schema is registered. */
export type TypeArg = ObjectType<RegisteredSchema>;
