/**
 * The OpenFGA JSON authorization model, as the OpenFGA API defines it. This is Gatehouse's
 * canonical model form: bundles carry it, the DSL compiles to it, the engine compiles from it.
 */
export interface AuthorizationModel {
  /** Model id (a ULID in OpenFGA); optional for models not stored yet. */
  readonly id?: string;
  /** The schema version; Gatehouse supports `1.1` (and `1.2` for modular models). */
  readonly schema_version: string;
  /** Every type of the model. */
  readonly type_definitions: readonly TypeDefinition[];
  /** Named CEL conditions that tuples can reference. */
  readonly conditions?: Readonly<Record<string, Condition>>;
}

/** One type (`type document`) and its relations. */
export interface TypeDefinition {
  /** The type name, e.g. `document`. */
  readonly type: string;
  /** Relation rewrites by relation name. */
  readonly relations?: Readonly<Record<string, Userset>>;
  /** Which user types each relation accepts directly, and module information. */
  readonly metadata?: TypeMetadata | null;
}

/** Type metadata: direct-relation restrictions and modular-model provenance. */
export interface TypeMetadata {
  /** Per-relation metadata. */
  readonly relations?: Readonly<Record<string, RelationMetadata>> | null;
  /** The module that defines the type (modular models). */
  readonly module?: string;
  /** The file the type comes from (modular models). */
  readonly source_info?: SourceInfo;
}

/** Per-relation metadata. */
export interface RelationMetadata {
  /** The user types a tuple may assign directly to this relation (`[user, group#member, user:*]`). */
  readonly directly_related_user_types?: readonly RelationReference[];
  /** The module that defines the relation (modular models, `extend type`). */
  readonly module?: string;
  /** The file the relation comes from (modular models). */
  readonly source_info?: SourceInfo;
}

/** Where a type, relation or condition was written, for modular models. */
export interface SourceInfo {
  /** The file path. */
  readonly file?: string;
}

/**
 * One allowed user type of a direct relation: `user` (`{type}`), `user:*` (`{type, wildcard: {}}`),
 * `group#member` (`{type, relation}`), each optionally `with condition`.
 */
export interface RelationReference {
  /** The user's type. */
  readonly type: string;
  /** For a userset reference (`group#member`), the relation. */
  readonly relation?: string;
  /** Present (as `{}`) for a wildcard (`user:*`). */
  readonly wildcard?: Readonly<Record<string, never>>;
  /** The condition a tuple of this kind must carry (`user with cond`). */
  readonly condition?: string;
}

/** `{ object?, relation }`: a relation on the same object (computed userset) or on a tupleset. */
export interface ObjectRelation {
  /** Unused in 1.1 models; kept for API fidelity. */
  readonly object?: string;
  /** The relation name. */
  readonly relation?: string;
}

/** `X from Y`: for every object in `tupleset` (relation Y), the users of its relation X. */
export interface TupleToUserset {
  /** The tupleset relation (Y). */
  readonly tupleset: ObjectRelation;
  /** The relation on each tupleset object (X). */
  readonly computedUserset: ObjectRelation;
}

/** A relation rewrite: exactly one of the keys is present. */
export type Userset =
  | { readonly this: Readonly<Record<string, never>> }
  | { readonly computedUserset: ObjectRelation }
  | { readonly tupleToUserset: TupleToUserset }
  | { readonly union: Usersets }
  | { readonly intersection: Usersets }
  | { readonly difference: Difference };

/** The children of a union or intersection. */
export interface Usersets {
  /** The operands. */
  readonly child: readonly Userset[];
}

/** `base but not subtract`. */
export interface Difference {
  /** The base set. */
  readonly base: Userset;
  /** The set removed from it. */
  readonly subtract: Userset;
}

/** The parameter types a condition can declare, as OpenFGA names them. */
export type ConditionParamTypeName =
  | 'TYPE_NAME_UNSPECIFIED'
  | 'TYPE_NAME_ANY'
  | 'TYPE_NAME_BOOL'
  | 'TYPE_NAME_STRING'
  | 'TYPE_NAME_INT'
  | 'TYPE_NAME_UINT'
  | 'TYPE_NAME_DOUBLE'
  | 'TYPE_NAME_DURATION'
  | 'TYPE_NAME_TIMESTAMP'
  | 'TYPE_NAME_MAP'
  | 'TYPE_NAME_LIST'
  | 'TYPE_NAME_IPADDRESS';

/** A condition parameter type, e.g. `map<list<string>>`. */
export interface ConditionParamTypeRef {
  /** The type's name. */
  readonly type_name: ConditionParamTypeName;
  /** Element types of `list<T>` and `map<T>`. */
  readonly generic_types?: readonly ConditionParamTypeRef[];
}

/** A named CEL condition: `condition name(p: type, ...) { expression }`. */
export interface Condition {
  /** The condition name; equals its key in `conditions`. */
  readonly name: string;
  /** The CEL expression; it must evaluate to a bool. */
  readonly expression: string;
  /** Declared parameters by name. */
  readonly parameters?: Readonly<Record<string, ConditionParamTypeRef>>;
  /** Modular-model provenance. */
  readonly metadata?: ConditionMetadata;
}

/** Condition metadata (modular models). */
export interface ConditionMetadata {
  /** The module that defines the condition. */
  readonly module?: string;
  /** The file the condition comes from. */
  readonly source_info?: SourceInfo;
}
