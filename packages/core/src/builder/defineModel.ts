/**
 * `defineModel`: an authorization model written in TypeScript, with every type, relation and
 * condition name checked at compile time, producing the same JSON as OpenFGA's DSL.
 */
import type { Diagnostic } from '../errors/index';
import { ModelValidationError } from '../errors/index';
import { parseModel } from '../validation/parseModel';
import type {
  ComputedRewrite,
  ConditionsOfDefinition,
  DirectRewrite,
  DirectTarget,
  ExclusionRewrite,
  FromRewrite,
  IntersectionRewrite,
  ModelDefinition,
  Rewrite,
  SchemaOfDefinition,
  TypedModel,
  UnionRewrite,
  ValidateDefinition,
} from '../model/typed';
import type {
  AuthorizationModel,
  Condition,
  ConditionParamTypeName,
  ConditionParamTypeRef,
  RelationMetadata,
  RelationReference,
  TypeDefinition,
  Userset,
} from '../model/types';

/**
 * Directly assignable users: `direct('user', 'team#member')` is the DSL's `[user, team#member]`.
 * Targets are `'type'`, `'type:*'` (wildcard) or `'type#relation'` (userset), optionally followed
 * by ` with <condition>`; the object form `{ type, relation?, wildcard?, condition? }` is
 * equivalent. Every named type, relation and condition is checked by {@link defineModel}.
 *
 * @example
 * ```ts
 * direct('user', 'user:*', 'team#member', 'user with non_expired');
 * direct({ type: 'user', condition: 'non_expired' });
 * ```
 * @see docs/guide/typed-models.md
 */
export function direct<const Targets extends readonly [DirectTarget, ...DirectTarget[]]>(
  ...targets: Targets
): DirectRewrite<Targets> {
  return Object.freeze({ kind: 'direct', targets: Object.freeze([...targets]) as unknown as Targets });
}

/**
 * The users of another relation of the same object: `computed('editor')` is the DSL's `editor`.
 *
 * @example
 * ```ts
 * viewer: union(direct('user'), computed('editor'))
 * ```
 * @see docs/guide/typed-models.md
 */
export function computed<const Relation extends string>(relation: Relation): ComputedRewrite<Relation> {
  return Object.freeze({ kind: 'computed', relation });
}

/**
 * The users of `relation` on every object the `tupleset` relation points to:
 * `from('editor', 'parent_org')` is the DSL's `editor from parent_org`. `tupleset` must be a
 * relation of the same type defined as `direct(...)` of plain types, and `relation` a relation of
 * at least one of those types.
 *
 * @example
 * ```ts
 * editor: union(direct('user'), from('editor', 'parent_org'))
 * ```
 * @see docs/guide/typed-models.md
 */
export function from<const Relation extends string, const Tupleset extends string>(
  relation: Relation,
  tupleset: Tupleset,
): FromRewrite<Relation, Tupleset> {
  return Object.freeze({ kind: 'from', relation, tupleset });
}

/**
 * Users in any of the children: `union(a, b)` is the DSL's `a or b`.
 *
 * @example
 * ```ts
 * viewer: union(direct('user'), computed('editor'), from('viewer', 'parent'))
 * ```
 * @see docs/guide/typed-models.md
 */
export function union<const Children extends readonly [Rewrite, Rewrite, ...Rewrite[]]>(
  ...children: Children
): UnionRewrite<Children> {
  return Object.freeze({ kind: 'union', children: Object.freeze([...children]) as unknown as Children });
}

/**
 * Users in every child: `intersection(a, b)` is the DSL's `a and b`.
 *
 * @example
 * ```ts
 * can_delete: intersection(computed('editor'), computed('member'))
 * ```
 * @see docs/guide/typed-models.md
 */
export function intersection<const Children extends readonly [Rewrite, Rewrite, ...Rewrite[]]>(
  ...children: Children
): IntersectionRewrite<Children> {
  return Object.freeze({ kind: 'intersection', children: Object.freeze([...children]) as unknown as Children });
}

/**
 * Users in `base` but not in `subtract`: `exclusion(a, b)` is the DSL's `a but not b`.
 *
 * @example
 * ```ts
 * viewer: exclusion(computed('member'), computed('blocked'))
 * ```
 * @see docs/guide/typed-models.md
 */
export function exclusion<const Base extends Rewrite, const Subtract extends Rewrite>(
  base: Base,
  subtract: Subtract,
): ExclusionRewrite<Base, Subtract> {
  return Object.freeze({ kind: 'exclusion', base, subtract });
}

/**
 * Defines an authorization model in TypeScript. Type, relation and condition names are checked
 * at compile time: a `direct` target, `computed` relation, `from` tupleset or condition that the
 * model does not define is a type error at the relation that uses it. The result carries the
 * OpenFGA JSON model (`model.json`, schema 1.1, the same JSON the DSL transformer produces) and,
 * for typed APIs, its names ({@link InferSchema}).
 *
 * @param definition `types` (type name to relation name to rewrite; `{}` for no relations) and
 *   optional `conditions` (name to `{ parameters, expression }`).
 * @throws {ModelValidationError} `invalid_authorization_model` when the definition is malformed
 *   (a value that is not a rewrite, an unparsable target, an unknown parameter type, two `direct`
 *   nodes in one relation), with every problem found.
 * @example
 * ```ts
 * const model = defineModel({
 *   types: {
 *     user: {},
 *     team: { member: direct('user', 'team#member') },
 *     doc: { owner: direct('team#member'), viewer: union(direct('user'), computed('owner')) },
 *   },
 * });
 * type S = InferSchema<typeof model>; // { user: never; team: 'member'; doc: 'owner' | 'viewer' }
 * ```
 * @see docs/guide/typed-models.md
 */
export function defineModel<const D extends ModelDefinition>(
  definition: D extends ValidateDefinition<D> ? D : NoInfer<ValidateDefinition<D>>,
): TypedModel<SchemaOfDefinition<D>, ConditionsOfDefinition<D>> {
  // The definition's static type is only for checking names; compile it as the unknown input it
  // may be when called from JavaScript.
  const input: unknown = definition;
  const json = compileDefinition(input);
  // The builder only checks names; OpenFGA's semantic rules (entry points, cycles, conditions)
  // are the validator's, so an impossible model throws here, at definition time.
  parseModel(json);
  return Object.freeze({ json });
}

// ---------------------------------------------------------------------------------------------
// Compilation to OpenFGA JSON. The definition may come from untyped JavaScript, so every shape is
// checked and reported as a diagnostic rather than trusted.
// ---------------------------------------------------------------------------------------------

type Path = readonly (string | number)[];

const PARAM_TYPE_NAMES: Readonly<Record<string, ConditionParamTypeName>> = {
  bool: 'TYPE_NAME_BOOL',
  string: 'TYPE_NAME_STRING',
  int: 'TYPE_NAME_INT',
  uint: 'TYPE_NAME_UINT',
  double: 'TYPE_NAME_DOUBLE',
  duration: 'TYPE_NAME_DURATION',
  timestamp: 'TYPE_NAME_TIMESTAMP',
  ipaddress: 'TYPE_NAME_IPADDRESS',
};
const CONTAINER_TYPE_NAMES: Readonly<Record<string, ConditionParamTypeName>> = {
  list: 'TYPE_NAME_LIST',
  map: 'TYPE_NAME_MAP',
};

// A name inside a target string ends at the DSL's delimiters; the full name rules are the
// validator's business.
const NAME = /^[^\s:#*]+$/;

class Compiler {
  readonly diagnostics: Diagnostic[] = [];

  problem(path: Path, message: string, code: Diagnostic['code'] = 'invalid-schema'): void {
    const [section, name, relation] = path;
    this.diagnostics.push({
      code,
      message,
      severity: 'error',
      path,
      ...(section === 'types' && typeof name === 'string' ? { type: name } : {}),
      ...(section === 'types' && typeof relation === 'string' ? { relation } : {}),
      ...(section === 'conditions' && typeof name === 'string' ? { condition: name } : {}),
    });
  }

  model(definition: unknown): AuthorizationModel {
    if (!isRecord(definition)) {
      this.problem([], 'the model definition must be an object with `types`');
      return { schema_version: '1.1', type_definitions: [] };
    }
    const types = definition['types'];
    const typeDefinitions: TypeDefinition[] = [];
    if (!isRecord(types)) {
      this.problem(['types'], '`types` must be an object mapping type names to their relations');
    } else {
      for (const [type, relations] of Object.entries(types)) {
        const typeDefinition = this.type(type, relations);
        if (typeDefinition) typeDefinitions.push(typeDefinition);
      }
    }
    const conditions = definition['conditions'];
    const compiledConditions: [string, Condition][] = [];
    if (conditions !== undefined && !isRecord(conditions)) {
      this.problem(['conditions'], '`conditions` must be an object mapping condition names to definitions');
    } else {
      for (const [name, condition] of Object.entries(conditions ?? {})) {
        const compiled = this.condition(name, condition);
        if (compiled) compiledConditions.push([name, compiled]);
      }
    }
    // The DSL transformer leaves `conditions` out when there are none; so do we.
    return compiledConditions.length > 0
      ? { schema_version: '1.1', type_definitions: typeDefinitions, conditions: fromEntries(compiledConditions) }
      : { schema_version: '1.1', type_definitions: typeDefinitions };
  }

  type(type: string, relations: unknown): TypeDefinition | undefined {
    if (!isRecord(relations)) {
      this.problem(['types', type], `type '${type}' must map relation names to rewrites (use {} for none)`);
      return undefined;
    }
    const entries = Object.entries(relations);
    // The DSL transformer writes `metadata: null` for a type without relations; keep its output.
    if (entries.length === 0) return { type, relations: {}, metadata: null };
    const rewrites: [string, Userset][] = [];
    const metadata: [string, RelationMetadata][] = [];
    for (const [relation, rewrite] of entries) {
      const path = ['types', type, relation];
      const directs: RelationReference[][] = [];
      const userset = this.rewrite(rewrite, path, directs, new Set());
      if (!userset) continue;
      if (directs.length > 1) {
        // One relation has one list of directly related user types, shared by every `this`; two
        // `direct` nodes would silently accept each other's types.
        this.problem(path, `relation '${type}#${relation}' uses direct() more than once; list all targets in one direct()`);
        continue;
      }
      rewrites.push([relation, userset]);
      metadata.push([relation, { directly_related_user_types: directs[0] ?? [] }]);
    }
    return { type, relations: fromEntries(rewrites), metadata: { relations: fromEntries(metadata) } };
  }

  rewrite(node: unknown, path: Path, directs: RelationReference[][], ancestors: Set<unknown>): Userset | undefined {
    if (!isRecord(node) || typeof node['kind'] !== 'string') {
      this.problem(path, 'expected a rewrite made with direct(), computed(), from(), union(), intersection() or exclusion()');
      return undefined;
    }
    if (ancestors.has(node)) {
      this.problem(path, 'a rewrite contains itself');
      return undefined;
    }
    const inner = new Set(ancestors).add(node);
    switch (node['kind']) {
      case 'direct':
        return this.direct(node['targets'], path, directs);
      case 'computed': {
        const relation = node['relation'];
        if (!isName(relation)) {
          this.problem(path, `computed(): invalid relation name ${describe(relation)}`);
          return undefined;
        }
        return { computedUserset: { relation } };
      }
      case 'from': {
        const relation = node['relation'];
        const tupleset = node['tupleset'];
        if (!isName(relation) || !isName(tupleset)) {
          this.problem(path, `from(): invalid relation names ${describe(relation)}, ${describe(tupleset)}`);
          return undefined;
        }
        return { tupleToUserset: { computedUserset: { relation }, tupleset: { relation: tupleset } } };
      }
      case 'union':
      case 'intersection': {
        const kind = node['kind'];
        const children = node['children'];
        if (!Array.isArray(children) || children.length === 0) {
          this.problem(path, `${kind}() needs at least one child`);
          return undefined;
        }
        const child = children.map((c: unknown, i) => this.rewrite(c, [...path, i], directs, inner));
        if (!child.every((c): c is Userset => c !== undefined)) return undefined;
        return kind === 'union' ? { union: { child } } : { intersection: { child } };
      }
      case 'exclusion': {
        const base = this.rewrite(node['base'], [...path, 'base'], directs, inner);
        const subtract = this.rewrite(node['subtract'], [...path, 'subtract'], directs, inner);
        if (!base || !subtract) return undefined;
        return { difference: { base, subtract } };
      }
      default:
        this.problem(path, `unknown rewrite kind ${describe(node['kind'])}`);
        return undefined;
    }
  }

  direct(targets: unknown, path: Path, directs: RelationReference[][]): Userset | undefined {
    if (!Array.isArray(targets) || targets.length === 0) {
      this.problem(path, 'direct() needs at least one user type', 'assignable-relation-must-have-type');
      return undefined;
    }
    const references: RelationReference[] = [];
    for (const target of targets as unknown[]) {
      const reference = parseTarget(target);
      if (reference) references.push(reference);
      else this.problem(path, `direct(): invalid target ${describe(target)}; expected 'type', 'type:*' or 'type#relation', optionally followed by ' with <condition>'`);
    }
    if (references.length !== targets.length) return undefined;
    directs.push(references);
    return { this: {} };
  }

  condition(name: string, condition: unknown): Condition | undefined {
    const path = ['conditions', name];
    if (!isRecord(condition) || typeof condition['expression'] !== 'string') {
      this.problem(path, `condition '${name}' must have a string \`expression\``, 'invalid-condition');
      return undefined;
    }
    const parameters: [string, ConditionParamTypeRef][] = [];
    const declared = condition['parameters'];
    if (declared !== undefined && !isRecord(declared)) {
      this.problem([...path, 'parameters'], `condition '${name}': \`parameters\` must map names to types`, 'invalid-condition');
      return undefined;
    }
    let ok = true;
    for (const [parameter, type] of Object.entries(declared ?? {})) {
      const ref = parseParamType(type);
      if (ref) {
        parameters.push([parameter, ref]);
      } else {
        ok = false;
        this.problem(
          [...path, 'parameters', parameter],
          `condition '${name}': parameter '${parameter}' has unknown type ${describe(type)}`,
          'invalid-condition',
        );
      }
    }
    if (!ok) return undefined;
    // The DSL transformer trims the expression; so do we, so both forms give the same JSON.
    return { name, expression: condition['expression'].trim(), parameters: fromEntries(parameters) };
  }
}

/** `'team#member with c'` → `{ type: 'team', relation: 'member', condition: 'c' }`. */
function parseTarget(target: unknown): RelationReference | undefined {
  if (typeof target === 'string') {
    const at = target.indexOf(' with ');
    const base = at < 0 ? target : target.slice(0, at);
    const condition = at < 0 ? undefined : target.slice(at + ' with '.length);
    if (condition !== undefined && !NAME.test(condition)) return undefined;
    if (base.endsWith(':*')) return reference(base.slice(0, -2), undefined, true, condition);
    const hash = base.indexOf('#');
    if (hash >= 0) return reference(base.slice(0, hash), base.slice(hash + 1), false, condition);
    return reference(base, undefined, false, condition);
  }
  if (!isRecord(target)) return undefined;
  const { type, relation, wildcard, condition } = target;
  if (relation !== undefined && typeof relation !== 'string') return undefined;
  if (wildcard !== undefined && wildcard !== true) return undefined;
  if (condition !== undefined && (typeof condition !== 'string' || !NAME.test(condition))) return undefined;
  if (relation !== undefined && wildcard === true) return undefined;
  return typeof type === 'string' ? reference(type, relation, wildcard === true, condition) : undefined;
}

function reference(
  type: string,
  relation: string | undefined,
  wildcard: boolean,
  condition: string | undefined,
): RelationReference | undefined {
  if (!NAME.test(type) || (relation !== undefined && !NAME.test(relation))) return undefined;
  // Key order follows the DSL transformer's output.
  return {
    type,
    ...(condition === undefined ? {} : { condition }),
    ...(wildcard ? { wildcard: {} } : {}),
    ...(relation === undefined ? {} : { relation }),
  };
}

function parseParamType(type: unknown): ConditionParamTypeRef | undefined {
  if (typeof type !== 'string') return undefined;
  const scalar = Object.hasOwn(PARAM_TYPE_NAMES, type) ? PARAM_TYPE_NAMES[type] : undefined;
  if (scalar) return { type_name: scalar };
  const generic = /^(list|map)<([a-z]+)>$/.exec(type);
  if (!generic) return undefined;
  const [, container = '', element = ''] = generic;
  const containerName = CONTAINER_TYPE_NAMES[container];
  const elementName = Object.hasOwn(PARAM_TYPE_NAMES, element) ? PARAM_TYPE_NAMES[element] : undefined;
  if (!containerName || !elementName) return undefined;
  return { type_name: containerName, generic_types: [{ type_name: elementName }] };
}

function compileDefinition(definition: unknown): AuthorizationModel {
  const compiler = new Compiler();
  const model = compiler.model(definition);
  if (compiler.diagnostics.length > 0) throw new ModelValidationError(compiler.diagnostics);
  return deepFreeze(model);
}

// Unlike assignment, fromEntries defines own properties, so a name like `__proto__` stays data.
function fromEntries<T>(entries: readonly (readonly [string, T])[]): Record<string, T> {
  return Object.fromEntries(entries) as Record<string, T>;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isName(value: unknown): value is string {
  return typeof value === 'string' && NAME.test(value);
}

function describe(value: unknown): string {
  return typeof value === 'string' ? `'${value}'` : value === null ? 'null' : typeof value;
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}
