/**
 * The type-level half of {@link defineModel}: the rewrite nodes a typed model is written with,
 * the mapped types that check every name in it at compile time, and the helpers later APIs use
 * to type objects, relations, users and condition contexts from a model.
 *
 * Nothing here exists at runtime except as the shape of plain objects.
 */
import type { AuthorizationModel } from './types';

// ---------------------------------------------------------------------------------------------
// Rewrite nodes: what `direct`, `computed`, `from`, `union`, `intersection` and `exclusion` return.
// ---------------------------------------------------------------------------------------------

/**
 * A directly assignable user type in its string form, as the DSL writes it between brackets:
 * `'user'`, `'user:*'` (wildcard) or `'team#member'` (userset), each optionally followed by
 * ` with <condition>`, e.g. `'user with non_expired'`.
 */
export type DirectTargetString = string;

/**
 * A directly assignable user type in object form, equivalent to the string form:
 * `{ type: 'user', wildcard: true }` is `'user:*'`, `{ type: 'team', relation: 'member' }` is
 * `'team#member'`, and `condition` adds ` with <condition>`.
 */
export type DirectTargetObject =
  | {
      /** The user's type. */
      readonly type: string;
      /** For a userset (`team#member`): the relation on that type. */
      readonly relation: string;
      /** A userset cannot be a wildcard. */
      readonly wildcard?: never;
      /** The condition a tuple of this kind must carry. */
      readonly condition?: string;
    }
  | {
      /** The user's type. */
      readonly type: string;
      /** A wildcard cannot name a relation. */
      readonly relation?: never;
      /** `true` for a wildcard (`user:*`): every object of the type. */
      readonly wildcard?: true;
      /** The condition a tuple of this kind must carry. */
      readonly condition?: string;
    };

/** One argument of {@link direct}: a {@link DirectTargetString} or a {@link DirectTargetObject}. */
export type DirectTarget = DirectTargetString | DirectTargetObject;

/** `[user, team#member]`: users written directly as tuples on the relation (OpenFGA's `this`). */
export interface DirectRewrite<Targets extends readonly unknown[] = readonly DirectTarget[]> {
  /** Discriminant. */
  readonly kind: 'direct';
  /** The user types a tuple may assign, in order. */
  readonly targets: Targets;
}

/** `editor`: the users of another relation of the same object (a computed userset). */
export interface ComputedRewrite<Relation extends string = string> {
  /** Discriminant. */
  readonly kind: 'computed';
  /** The relation on the same object. */
  readonly relation: Relation;
}

/** `editor from parent_org`: for each object in the tupleset relation, the users of its relation. */
export interface FromRewrite<Relation extends string = string, Tupleset extends string = string> {
  /** Discriminant. */
  readonly kind: 'from';
  /** The relation read on each tupleset object (`editor`). */
  readonly relation: Relation;
  /** The relation of this type whose tuples name the parent objects (`parent_org`). */
  readonly tupleset: Tupleset;
}

/** `a or b`: users in any child. */
export interface UnionRewrite<Children extends readonly unknown[] = readonly Rewrite[]> {
  /** Discriminant. */
  readonly kind: 'union';
  /** The operands, in order. */
  readonly children: Children;
}

/** `a and b`: users in every child. */
export interface IntersectionRewrite<Children extends readonly unknown[] = readonly Rewrite[]> {
  /** Discriminant. */
  readonly kind: 'intersection';
  /** The operands, in order. */
  readonly children: Children;
}

/** `base but not subtract`: users in `base` and not in `subtract`. */
export interface ExclusionRewrite<Base = Rewrite, Subtract = Rewrite> {
  /** Discriminant. */
  readonly kind: 'exclusion';
  /** The set users must be in. */
  readonly base: Base;
  /** The set users must not be in. */
  readonly subtract: Subtract;
}

/** A relation definition in a typed model: one of the six rewrite nodes. */
export type Rewrite =
  | DirectRewrite
  | ComputedRewrite
  | FromRewrite
  | UnionRewrite
  | IntersectionRewrite
  | ExclusionRewrite;

// ---------------------------------------------------------------------------------------------
// Conditions
// ---------------------------------------------------------------------------------------------

/** A condition parameter type that is not a container, as the DSL spells it. */
export type ConditionScalarType =
  | 'bool'
  | 'string'
  | 'int'
  | 'uint'
  | 'double'
  | 'duration'
  | 'timestamp'
  | 'ipaddress';

/**
 * A condition parameter type as the DSL spells it: a scalar, `list<scalar>` or `map<scalar>`.
 * Containers nest one level, as in the DSL grammar.
 */
export type ConditionParamType = ConditionScalarType | `list<${ConditionScalarType}>` | `map<${ConditionScalarType}>`;

/** A condition in a typed model: `condition name(p: type, ...) { expression }`. */
export interface ConditionDefinition {
  /** Declared parameters by name, with their DSL types. */
  readonly parameters?: Readonly<Record<string, ConditionParamType>>;
  /** The CEL expression; it must evaluate to a bool. Leading and trailing whitespace is dropped. */
  readonly expression: string;
}

/**
 * The value a condition parameter of type `P` takes in a tuple's or a request's context.
 * Timestamps accept a `Date` or an RFC 3339 string, durations a string such as `'10m'`, integers
 * a `number` or a `bigint`.
 */
export type ConditionParamValue<P extends ConditionParamType> = P extends `list<${infer E extends ConditionScalarType}>`
  ? readonly ScalarValue<E>[]
  : P extends `map<${infer E extends ConditionScalarType}>`
    ? Readonly<Record<string, ScalarValue<E>>>
    : P extends ConditionScalarType
      ? ScalarValue<P>
      : never;

interface ScalarValues {
  bool: boolean;
  string: string;
  int: number | bigint;
  uint: number | bigint;
  double: number;
  duration: string;
  timestamp: Date | string;
  ipaddress: string;
}
type ScalarValue<P extends ConditionScalarType> = ScalarValues[P];

// ---------------------------------------------------------------------------------------------
// Definitions and the typed model
// ---------------------------------------------------------------------------------------------

/** The input of {@link defineModel}: types with their relations, and named conditions. */
export interface ModelDefinition {
  /** Every type, mapping its relation names to rewrites; `{}` for a type with no relations. */
  readonly types: Readonly<Record<string, Readonly<Record<string, Rewrite>>>>;
  /** Named conditions that direct targets may reference with `with`. */
  readonly conditions?: Readonly<Record<string, ConditionDefinition>>;
}

/**
 * A model's names, type to relation names: `{ user: never; team: 'member' }`. Obtain it with
 * {@link InferSchema}; {@link ObjectType}, {@link RelationOf} and the other helpers take it.
 */
export type Schema = { readonly [type: string]: string };

/** A model's conditions, condition name to parameter name to DSL type. */
export type ConditionsSchema = { readonly [condition: string]: { readonly [parameter: string]: ConditionParamType } };

/**
 * What {@link defineModel} returns: the OpenFGA JSON model, plus (at the type level only) its
 * names, for APIs that type their arguments from it.
 */
export interface TypedModel<S extends Schema = Schema, C extends ConditionsSchema = ConditionsSchema> {
  /** The authorization model (schema 1.1), exactly as OpenFGA's DSL transformer would produce it. */
  readonly json: AuthorizationModel;
  /**
   * Type-level only; never present at runtime. Read it through {@link InferSchema} and
   * {@link ConditionContext}.
   */
  readonly '~types'?: { readonly schema: S; readonly conditions: C };
}

/** The names of a typed model: `{ user: never; team: 'member'; ... }`. */
export type InferSchema<M extends TypedModel> = NonNullable<M['~types']>['schema'];

/** The conditions of a typed model, with their parameters' DSL types. */
export type InferConditions<M extends TypedModel> = NonNullable<M['~types']>['conditions'];

/** The type names of a schema: `'user' | 'team' | ...`. */
export type ObjectType<S extends Schema> = keyof S & string;

/** The relation names of type `T` in a schema (`never` for a type without relations). */
export type RelationOf<S extends Schema, T extends ObjectType<S>> = S[T];

/** Any relation of any type of a schema. */
export type AnyRelation<S extends Schema> = S[ObjectType<S>];

/**
 * An object string `type:id` of one of the schema's types (or of `T`), e.g. `'document:1'`. The
 * parsed form is `ObjectRef` (tuples/ids).
 */
export type ObjectString<S extends Schema, T extends ObjectType<S> = ObjectType<S>> = T extends string
  ? `${T}:${string}`
  : never;

/**
 * A user string of the schema's types (or of `T`): an object `user:anne`, a wildcard `user:*`, or
 * a userset `team:eng#member`. Template literal types cannot tell an id from `id#relation`, so
 * the relation after `#` is not checked.
 */
export type UserString<S extends Schema, T extends ObjectType<S> = ObjectType<S>> = T extends string
  ? `${T}:${string}` | `${T}:*` | `${T}:${string}#${RelationOf<S, T>}`
  : never;

/** The names of a typed model's conditions. */
export type ConditionName<M extends TypedModel> = keyof InferConditions<M> & string;

/**
 * The context a condition's parameters are read from: `{ grant_time: Date | string; ... }`.
 * A tuple's stored context and a request's context each supply part of it, so APIs that take
 * one of the two use `Partial<ConditionContext<M, C>>`. A union `C` gives a union of contexts.
 */
export type ConditionContext<M extends TypedModel, C extends ConditionName<M> = ConditionName<M>> = C extends string
  ? { -readonly [P in keyof InferConditions<M>[C]]: ConditionParamValue<InferConditions<M>[C][P]> }
  : never;

// ---------------------------------------------------------------------------------------------
// Inference from a definition
// ---------------------------------------------------------------------------------------------

/** The {@link Schema} of a definition. */
export type SchemaOfDefinition<D extends ModelDefinition> = Expand<{
  -readonly [T in keyof D['types'] & string]: keyof D['types'][T] & string;
}>;

/** Resolves a computed object type so editors show its members rather than an alias. */
type Expand<T> = T extends infer O ? { [K in keyof O]: O[K] } : never;

/** The {@link ConditionsSchema} of a definition. */
export type ConditionsOfDefinition<D extends ModelDefinition> =
  D['conditions'] extends Readonly<Record<string, ConditionDefinition>>
    ? Expand<{
        -readonly [C in keyof D['conditions'] & string]: D['conditions'][C]['parameters'] extends Readonly<
          Record<string, ConditionParamType>
        >
          ? { -readonly [P in keyof D['conditions'][C]['parameters']]: D['conditions'][C]['parameters'][P] }
          : {};
      }>
    : {};

// ---------------------------------------------------------------------------------------------
// Validation: map a definition to the definition it should be. Valid parts map to themselves;
// a wrong name maps to the names allowed there, so the compiler reports e.g.
// `Type '"membr"' is not assignable to type '"member"'` at the offending relation.
// ---------------------------------------------------------------------------------------------

type TypeNames<D extends ModelDefinition> = Names<keyof D['types']>;
/** A union of names, spelled out (not as an alias) in error messages. */
type Names<K> = K extends string ? K : never;
type RelationNames<D extends ModelDefinition, T> = T extends TypeNames<D> ? keyof D['types'][T] & string : never;
type ConditionNames<D extends ModelDefinition> =
  D['conditions'] extends Readonly<Record<string, ConditionDefinition>> ? keyof D['conditions'] & string : never;
type AllUsersets<D extends ModelDefinition> = {
  [T in TypeNames<D>]: `${T}#${RelationNames<D, T>}`;
}[TypeNames<D>];

/** `'user with c'` → `['user', 'c']`; `'user'` → `['user', never]`. */
type SplitCondition<S extends string> = S extends `${infer Base} with ${infer Condition}`
  ? [Base, Condition]
  : [S, never];

type ValidBase<D extends ModelDefinition, B extends string> = B extends `${infer T}:*`
  ? T extends TypeNames<D>
    ? B
    : `${TypeNames<D>}:*`
  : B extends `${infer T}#${infer R}`
    ? T extends TypeNames<D>
      ? R extends RelationNames<D, T>
        ? B
        : `${T}#${RelationNames<D, T>}`
      : AllUsersets<D>
    : B extends TypeNames<D>
      ? B
      : TypeNames<D>;

type ValidTargetString<D extends ModelDefinition, S extends string> =
  SplitCondition<S> extends [infer B extends string, infer C]
    ? [C] extends [never]
      ? ValidBase<D, B>
      : `${ValidBase<D, B>} with ${C extends ConditionNames<D> ? C : ConditionNames<D>}`
    : never;

type ValidTargetField<D extends ModelDefinition, O, K extends keyof O> = K extends 'type'
  ? O[K] extends TypeNames<D>
    ? O[K]
    : TypeNames<D>
  : K extends 'relation'
    ? O extends { readonly type: infer T }
      ? O[K] extends RelationNames<D, T>
        ? O[K]
        : RelationNames<D, T>
      : never
    : K extends 'condition'
      ? O[K] extends ConditionNames<D>
        ? O[K]
        : ConditionNames<D>
      : O[K];

type ValidTarget<D extends ModelDefinition, X> = X extends string
  ? ValidTargetString<D, X>
  : { readonly [K in keyof X]: ValidTargetField<D, X, K> };

/** The type a direct target names (`'team#member with c'` → `'team'`). */
type TargetType<X> = X extends string
  ? SplitCondition<X>[0] extends `${infer T}:*`
    ? T
    : SplitCondition<X>[0] extends `${infer T}#${string}`
      ? T
      : SplitCondition<X>[0]
  : X extends { readonly type: infer T }
    ? T
    : never;

/** A target a tupleset may hold: a plain type, not a wildcard or a userset. */
type IsPlainTarget<X> = X extends string
  ? SplitCondition<X>[0] extends `${string}:${string}` | `${string}#${string}`
    ? false
    : true
  : X extends { readonly relation: string } | { readonly wildcard: true }
    ? false
    : true;

/**
 * The relations of `T` that can be the tupleset of `x from y`: OpenFGA requires `y` to be
 * directly assignable only, with plain types (no wildcard, no userset).
 */
type TuplesetRelations<D extends ModelDefinition, T> = {
  [R in RelationNames<D, T>]: T extends TypeNames<D>
    ? D['types'][T][R] extends DirectRewrite<infer Targets>
      ? false extends IsPlainTarget<Targets[number]>
        ? never
        : R
      : never
    : never;
}[RelationNames<D, T>];

/** The relations defined on any of the types a tupleset relation holds. */
type RelationsViaTupleset<D extends ModelDefinition, T, Y> = T extends TypeNames<D>
  ? Y extends keyof D['types'][T]
    ? D['types'][T][Y] extends DirectRewrite<infer Targets>
      ? RelationNames<D, TargetType<Targets[number]>>
      : never
    : never
  : never;

type ValidRewrite<D extends ModelDefinition, T, N> = [Rewrite] extends [N]
  ? N // not a literal rewrite (e.g. a variable typed `Rewrite`): nothing to check
  : N extends DirectRewrite<infer Targets>
    ? DirectRewrite<{ [I in keyof Targets]: ValidTarget<D, Targets[I]> }>
    : N extends ComputedRewrite<infer R>
      ? ComputedRewrite<R extends RelationNames<D, T> ? R : RelationNames<D, T>>
      : N extends FromRewrite<infer R, infer Y>
        ? Y extends TuplesetRelations<D, T>
          ? FromRewrite<R extends RelationsViaTupleset<D, T, Y> ? R : RelationsViaTupleset<D, T, Y>, Y>
          : FromRewrite<R, TuplesetRelations<D, T>>
        : N extends UnionRewrite<infer C>
          ? UnionRewrite<{ [I in keyof C]: ValidRewrite<D, T, C[I]> }>
          : N extends IntersectionRewrite<infer C>
            ? IntersectionRewrite<{ [I in keyof C]: ValidRewrite<D, T, C[I]> }>
            : N extends ExclusionRewrite<infer B, infer S>
              ? ExclusionRewrite<ValidRewrite<D, T, B>, ValidRewrite<D, T, S>>
              : never;

/**
 * The definition `D` should be: every name in `D` replaced by the names allowed there. A valid
 * definition is assignable to it; an invalid one fails at the offending relation.
 */
export type ValidateDefinition<D extends ModelDefinition> = {
  [K in keyof D]: K extends 'types'
    ? { [T in keyof D['types']]: { [R in keyof D['types'][T]]: ValidRewrite<D, T, D['types'][T][R]> } }
    : D[K];
};
