import type { Diagnostic, DiagnosticCode } from '../errors/index';
import type { AuthorizationModel, Condition, RelationReference, TypeDefinition, Userset } from '../model/types';

/** A JSON path into the model, e.g. `['type_definitions', 2, 'relations', 'viewer']`. */
export type JsonPath = readonly (string | number)[];

/** One relation of a type definition, with everything the rules need to look up about it. */
export interface RelationInfo {
  /** The relation name. */
  readonly name: string;
  /** Its rewrite. */
  readonly rewrite: Userset;
  /** The rewrite, classified. */
  readonly tree: RewriteTree;
  /** Every node of {@link RelationInfo.tree}, depth first, in source order. */
  readonly nodes: readonly RewriteTree[];
  /** True when the rewrite contains `this` (the relation is directly assignable). */
  readonly assignable: boolean;
  /** Its `directly_related_user_types` (empty when there are none). */
  readonly restrictions: readonly RelationReference[];
  /** Path of the rewrite: `['type_definitions', i, 'relations', name]`. */
  readonly path: JsonPath;
  /** Path of the type restrictions: `['type_definitions', i, 'metadata', 'relations', name, 'directly_related_user_types']`. */
  readonly restrictionsPath: JsonPath;
  /** The file the relation was written in (modular models). */
  readonly file?: string;
  /** The module the relation belongs to (modular models). */
  readonly module?: string;
}

/** One entry of `type_definitions`. */
export interface TypeInfo {
  /** The type name. */
  readonly name: string;
  /** Its index in `type_definitions`. */
  readonly index: number;
  /** The definition itself. */
  readonly definition: TypeDefinition;
  /** Its relations, in definition order. */
  readonly relations: ReadonlyMap<string, RelationInfo>;
  /** Path of the type: `['type_definitions', i]`. */
  readonly path: JsonPath;
  /** The file the type was written in (modular models). */
  readonly file?: string;
  /** The module the type belongs to (modular models). */
  readonly module?: string;
}

/**
 * The model indexed once for every rule: lookups are map reads, so a rule over all relations stays
 * linear in the size of the model.
 */
export interface ValidationContext {
  /** The model under validation. */
  readonly model: AuthorizationModel;
  /** Every type definition in order, duplicates included. */
  readonly types: readonly TypeInfo[];
  /** Types by name; when a name repeats, the last definition wins, as in OpenFGA. */
  readonly typesByName: ReadonlyMap<string, TypeInfo>;
  /** Conditions by key. */
  readonly conditions: ReadonlyMap<string, Condition>;
}

/** A rule over the whole model. */
export type ModelRule = (ctx: ValidationContext) => Diagnostic[];

/**
 * A rule applied to one relation at a time. It appends what it finds to `out`: rules run for every
 * relation of large models, and most find nothing, so they allocate nothing then.
 */
export type RelationRule = (ctx: ValidationContext, type: TypeInfo, relation: RelationInfo, out: Diagnostic[]) => void;

// Own enumerable entries only: a relation called `constructor` must not find Object.prototype's.
function entriesOf<T>(record: Readonly<Record<string, T>> | null | undefined): [string, T][] {
  return record && typeof record === 'object' ? Object.entries(record) : [];
}

function isObject<T>(value: T | null | undefined): value is T {
  return typeof value === 'object' && value !== null;
}

function ownValue<T>(record: Readonly<Record<string, T>> | null | undefined, key: string): T | undefined {
  return record && typeof record === 'object' && Object.prototype.hasOwnProperty.call(record, key) ? record[key] : undefined;
}

/** Indexes `model` for the rules. It tolerates partial input (missing maps, null metadata). */
export function createValidationContext(input: AuthorizationModel): ValidationContext {
  // Typed callers cannot pass anything else, but JavaScript ones can; a non-object reads as an
  // empty model (which then lacks a schema version) rather than crashing.
  const model: AuthorizationModel =
    typeof input === 'object' && input !== null ? input : { schema_version: '', type_definitions: [] };
  const definitions: readonly TypeDefinition[] = Array.isArray(model.type_definitions) ? model.type_definitions : [];
  const types: TypeInfo[] = [];
  const typesByName = new Map<string, TypeInfo>();
  definitions.forEach((definition, index) => {
    const name = typeof definition?.type === 'string' ? definition.type : '';
    const metadata = definition?.metadata ?? undefined;
    const typeFile = metadata?.source_info?.file || undefined;
    const typeModule = metadata?.module || undefined;
    const relations = new Map<string, RelationInfo>();
    for (const [relation, rewrite] of entriesOf(definition?.relations)) {
      const meta = ownValue(metadata?.relations, relation);
      const restrictions = meta?.directly_related_user_types;
      relations.set(
        relation,
        new Relation(
          relation,
          rewrite,
          index,
          Array.isArray(restrictions) ? restrictions.filter(isObject) : [],
          meta?.source_info?.file || typeFile,
          meta?.module || typeModule,
        ),
      );
    }
    const info: TypeInfo = {
      name,
      index,
      definition,
      relations,
      path: ['type_definitions', index],
      ...(typeFile ? { file: typeFile } : {}),
      ...(typeModule ? { module: typeModule } : {}),
    };
    types.push(info);
    typesByName.set(name, info);
  });
  return { model, types, typesByName, conditions: new Map(entriesOf(model.conditions)) };
}

/** What a single rewrite node is, with the JSON key that holds it. */
export type RewriteNode =
  | { readonly kind: 'this'; readonly key: 'this' }
  | { readonly kind: 'computed'; readonly key: 'computedUserset'; readonly relation: string }
  | { readonly kind: 'ttu'; readonly key: 'tupleToUserset'; readonly tupleset: string; readonly computed: string }
  | { readonly kind: 'union' | 'intersection' | 'difference'; readonly key: 'union' | 'intersection' | 'difference' }
  | { readonly kind: 'unknown' };

/**
 * A rewrite, classified once: each node with its JSON path and its operands (union and
 * intersection children, or a difference's base then subtract), in source order.
 */
export interface RewriteTree {
  /** The node. */
  readonly node: RewriteNode;
  /** The path of the node, e.g. `[..., 'relations', 'viewer', 'union', 'child', 1]`. */
  readonly path: JsonPath;
  /** The operands of an operator node; empty for leaves. */
  readonly operands: readonly RewriteTree[];
}

const UNKNOWN: RewriteNode = { kind: 'unknown' };
const THIS: RewriteNode = { kind: 'this', key: 'this' };
const NO_OPERANDS: readonly RewriteTree[] = [];

// Paths are only needed for the few nodes that get reported, so each node computes its own from
// its parent on first use instead of every node carrying a copied array.
class TreeNode implements RewriteTree {
  operands: readonly RewriteTree[] = NO_OPERANDS;
  #path: JsonPath | undefined;

  constructor(
    readonly node: RewriteNode,
    private readonly parent: TreeNode | undefined,
    private readonly index: number,
    path?: JsonPath,
  ) {
    this.#path = path;
  }

  get path(): JsonPath {
    if (this.#path) return this.#path;
    const parent = this.parent;
    if (!parent) return (this.#path = []);
    const step =
      parent.node.kind === 'difference'
        ? ['difference', this.index === 0 ? 'base' : 'subtract']
        : [parent.node.kind, 'child', this.index];
    return (this.#path = [...parent.path, ...step]);
  }
}

/**
 * Classifies a rewrite into a {@link RewriteTree} without trusting its shape: validation may see
 * unchecked input, and a malformed node becomes `unknown` instead of a crash.
 */
export function buildRewriteTree(userset: Userset | null | undefined, path: JsonPath): RewriteTree {
  return build(userset, undefined, 0, path);
}

function build(userset: Userset | null | undefined, parent: TreeNode | undefined, index: number, path?: JsonPath): TreeNode {
  if (typeof userset !== 'object' || userset === null) return new TreeNode(UNKNOWN, parent, index, path);
  if ('this' in userset && userset.this) return new TreeNode(THIS, parent, index, path);
  if ('computedUserset' in userset && userset.computedUserset) {
    const relation = userset.computedUserset.relation ?? '';
    return new TreeNode({ kind: 'computed', key: 'computedUserset', relation }, parent, index, path);
  }
  if ('tupleToUserset' in userset && userset.tupleToUserset) {
    const ttu = userset.tupleToUserset;
    const node: RewriteNode = {
      kind: 'ttu',
      key: 'tupleToUserset',
      tupleset: ttu.tupleset?.relation ?? '',
      computed: ttu.computedUserset?.relation ?? '',
    };
    return new TreeNode(node, parent, index, path);
  }
  let kind: 'union' | 'intersection' | 'difference';
  let children: readonly (Userset | undefined)[];
  if ('union' in userset && userset.union) {
    kind = 'union';
    children = Array.isArray(userset.union.child) ? userset.union.child : [];
  } else if ('intersection' in userset && userset.intersection) {
    kind = 'intersection';
    children = Array.isArray(userset.intersection.child) ? userset.intersection.child : [];
  } else if ('difference' in userset && userset.difference?.base && userset.difference.subtract) {
    kind = 'difference';
    children = [userset.difference.base, userset.difference.subtract];
  } else {
    return new TreeNode(UNKNOWN, parent, index, path);
  }
  const tree = new TreeNode(OPERATORS[kind], parent, index, path);
  tree.operands = children.map((child, i) => build(child, tree, i));
  return tree;
}

const OPERATORS = {
  union: { kind: 'union', key: 'union' },
  intersection: { kind: 'intersection', key: 'intersection' },
  difference: { kind: 'difference', key: 'difference' },
} as const satisfies Record<string, RewriteNode>;

function collectNodes(tree: RewriteTree, into: RewriteTree[]): void {
  into.push(tree);
  for (const operand of tree.operands) collectNodes(operand, into);
}

class Relation implements RelationInfo {
  readonly tree: RewriteTree;
  readonly nodes: readonly RewriteTree[];
  readonly assignable: boolean;
  readonly path: JsonPath;
  readonly file?: string;
  readonly module?: string;

  constructor(
    readonly name: string,
    readonly rewrite: Userset,
    private readonly typeIndex: number,
    readonly restrictions: readonly RelationReference[],
    file: string | undefined,
    module: string | undefined,
  ) {
    this.path = ['type_definitions', typeIndex, 'relations', name];
    this.tree = buildRewriteTree(rewrite, this.path);
    const nodes: RewriteTree[] = [];
    collectNodes(this.tree, nodes);
    this.nodes = nodes;
    this.assignable = nodes.some((n) => n.node.kind === 'this');
    if (file) this.file = file;
    if (module) this.module = module;
  }

  get restrictionsPath(): JsonPath {
    return ['type_definitions', this.typeIndex, 'metadata', 'relations', this.name, 'directly_related_user_types'];
  }
}

/**
 * A type restriction as OpenFGA writes it: `user`, `user:*`, `group#member`, each optionally
 * followed by ` with condition`.
 */
export function restrictionText(ref: RelationReference): string {
  let text = ref.type;
  if (ref.wildcard) text += ':*';
  else if (ref.relation) text += `#${ref.relation}`;
  if (ref.condition) text += ` with ${ref.condition}`;
  return text;
}

/** The text OpenFGA uses for a rewrite operand in messages: `viewer`, or `viewer from parent`. */
export function operandText(node: RewriteNode): string | undefined {
  if (node.kind === 'computed') return node.relation;
  if (node.kind === 'ttu') return `${node.computed} from ${node.tupleset}`;
  return undefined;
}

/** Where a diagnostic is in the model: the rule's metadata besides code and message. */
export interface DiagnosticSite {
  /** JSON path of the offending part. */
  readonly path: JsonPath;
  /** The identifier to underline, as OpenFGA's `metadata.symbol`. */
  readonly symbol: string;
  /** The enclosing type. */
  readonly type?: string;
  /** The enclosing relation. */
  readonly relation?: string;
  /** The condition concerned. */
  readonly condition?: string;
  /** The file (modular models). */
  readonly file?: string;
  /** The module (modular models). */
  readonly module?: string;
}

/** Builds an error diagnostic, leaving out metadata fields that are not set. */
export function problem(code: DiagnosticCode, message: string, site: DiagnosticSite): Diagnostic {
  return {
    code,
    message,
    severity: 'error',
    path: site.path,
    symbol: site.symbol,
    ...(site.type !== undefined ? { type: site.type } : {}),
    ...(site.relation !== undefined ? { relation: site.relation } : {}),
    ...(site.condition !== undefined ? { condition: site.condition } : {}),
    ...(site.file !== undefined ? { file: site.file } : {}),
    ...(site.module !== undefined ? { module: site.module } : {}),
  };
}

/** The site of a problem with a type's name: its `type` key, in the type's file and module. */
export function typeSite(type: TypeInfo): DiagnosticSite {
  return {
    path: [...type.path, 'type'],
    symbol: type.name,
    type: type.name,
    ...(type.file !== undefined ? { file: type.file } : {}),
    ...(type.module !== undefined ? { module: type.module } : {}),
  };
}

/** The site fields every relation-level diagnostic shares. */
export function relationSite(type: TypeInfo, relation: RelationInfo, path: JsonPath, symbol: string): DiagnosticSite {
  return {
    path,
    symbol,
    type: type.name,
    relation: relation.name,
    ...(relation.file !== undefined ? { file: relation.file } : {}),
    ...(relation.module !== undefined ? { module: relation.module } : {}),
  };
}
