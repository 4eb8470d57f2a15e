import type { Diagnostic, DiagnosticLocation } from '../errors/index';
import type { AuthorizationModel, Userset } from '../model/types';
import type { ConditionSite, HeaderSite, RelationSite, RestrictionSite, RewriteSite, SourceSpan, TypeSite } from './sourceOutline';

/** A declaration and the file it is in (`file` is absent for a single, unnamed source). */
export interface Sited<T> {
  readonly file?: string;
  readonly site: T;
}

/**
 * Where each part of a parsed model was written. For one DSL file `type_definitions[i]` is the
 * i-th type declaration; for a modular model the merge records, per combined type, the file and
 * declaration it came from, plus the `extend type` blocks that added relations to it.
 */
export interface ModelSourceMap {
  /** The declaration of `type_definitions[index]`, aligned with the model. */
  readonly types: readonly (Sited<TypeSite> | undefined)[];
  /** `extend type` blocks by type name, for modular models. */
  readonly extensions: ReadonlyMap<string, readonly Sited<TypeSite>[]>;
  /** Condition declarations by name (the first one when a name repeats). */
  readonly conditions: ReadonlyMap<string, Sited<ConditionSite>>;
  /** The header that sets the schema version. */
  readonly header: { readonly file?: string; readonly site?: HeaderSite };
}

/**
 * Gives a semantic diagnostic (computed on the JSON model) the line and column of the part of the
 * DSL it is about. Positions follow OpenFGA's conventions, so they match its conformance data:
 * relation problems point at the relation name; reference problems at the reference (`allowed` in
 * `member but not allowed`, the tupleset of a `from` that must be direct, the whole `x from y` when
 * `x` is not on the tupleset's types); duplicates at the first occurrence. When nothing better is
 * known it falls back to the relation, then the type, then the header, so every diagnostic gets a
 * position.
 */
export function locateDiagnostic(diagnostic: Diagnostic, sources: ModelSourceMap, model: AuthorizationModel): Diagnostic {
  const location = findLocation(diagnostic, sources, model);
  if (!location) return diagnostic;
  return { ...diagnostic, ...location };
}

function toLocation(span: SourceSpan, file: string | undefined): DiagnosticLocation {
  return {
    line: { start: span.line, end: span.line },
    column: { start: span.start, end: span.end },
    ...(file !== undefined ? { file } : {}),
  };
}

interface PathFacts {
  readonly typeIndex?: number;
  readonly relation?: string;
  readonly restrictionIndex?: number;
  /** The JSON path inside the relation's userset, when the path points into one. */
  readonly usersetPath?: readonly (string | number)[];
  readonly condition?: string;
}

function readPath(path: readonly (string | number)[] | undefined): PathFacts {
  if (!path || path.length === 0) return {};
  if (path[0] === 'conditions' && typeof path[1] === 'string') return { condition: path[1] };
  if (path[0] !== 'type_definitions' || typeof path[1] !== 'number') return {};
  const typeIndex = path[1];
  if (path[2] === 'relations' && typeof path[3] === 'string') {
    return { typeIndex, relation: path[3], usersetPath: path.slice(4) };
  }
  if (path[2] === 'metadata' && path[3] === 'relations' && typeof path[4] === 'string') {
    const at = path.indexOf('directly_related_user_types');
    const index = at >= 0 ? path[at + 1] : undefined;
    return { typeIndex, relation: path[4], ...(typeof index === 'number' ? { restrictionIndex: index } : {}) };
  }
  return { typeIndex };
}

function findLocation(d: Diagnostic, sources: ModelSourceMap, model: AuthorizationModel): DiagnosticLocation | undefined {
  const facts = readPath(d.path);
  const header = sources.header;
  const headerLocation = (): DiagnosticLocation | undefined =>
    header.site ? toLocation(header.site.keywordSpan, header.file) : undefined;

  switch (d.code) {
    case 'schema-version-required':
      return headerLocation() ?? { line: { start: 0, end: 0 }, column: { start: 0, end: 0 } };
    case 'invalid-schema':
    case 'schema-version-unsupported':
      return header.site?.schemaVersionSpan ? toLocation(header.site.schemaVersionSpan, header.file) : headerLocation();
    default:
      break;
  }

  const conditionName = d.condition ?? facts.condition;
  if (conditionName !== undefined && d.type === undefined && facts.typeIndex === undefined) {
    const condition = sources.conditions.get(conditionName);
    if (condition) {
      const parameter = d.symbol !== undefined ? condition.site.parameters.find((p) => p.name === d.symbol) : undefined;
      return toLocation(parameter?.nameSpan ?? condition.site.nameSpan, condition.file);
    }
  }

  const typeIndex = facts.typeIndex;
  const typeName = d.type ?? (typeIndex !== undefined ? model.type_definitions[typeIndex]?.type : undefined);
  const relationName = d.relation ?? facts.relation;

  if (relationName !== undefined) {
    const relation = findRelation(sources, typeIndex, typeName, relationName);
    if (relation) {
      const span = spanInRelation(d, relation.site, facts, typeIndex !== undefined ? model.type_definitions[typeIndex] : undefined);
      return toLocation(span ?? relation.site.nameSpan, relation.file);
    }
  }

  if (typeName !== undefined) {
    const type = d.code === 'duplicated-error' ? firstTypeNamed(sources, typeName) : typeSite(sources, typeIndex, typeName);
    if (type) return toLocation(type.site.nameSpan, type.file);
  }

  if (conditionName !== undefined) {
    const condition = sources.conditions.get(conditionName);
    if (condition) return toLocation(condition.site.nameSpan, condition.file);
  }
  return headerLocation();
}

function firstTypeNamed(sources: ModelSourceMap, name: string): Sited<TypeSite> | undefined {
  return sources.types.find((t) => t?.site.name === name) ?? sources.extensions.get(name)?.[0];
}

function typeSite(sources: ModelSourceMap, index: number | undefined, name: string): Sited<TypeSite> | undefined {
  const atIndex = index !== undefined ? sources.types[index] : undefined;
  if (atIndex && atIndex.site.name === name) return atIndex;
  return firstTypeNamed(sources, name);
}

function findRelation(
  sources: ModelSourceMap,
  typeIndex: number | undefined,
  typeName: string | undefined,
  relationName: string,
): { readonly file?: string; readonly site: RelationSite } | undefined {
  const candidates: Sited<TypeSite>[] = [];
  const atIndex = typeIndex !== undefined ? sources.types[typeIndex] : undefined;
  if (atIndex && (typeName === undefined || atIndex.site.name === typeName)) candidates.push(atIndex);
  if (typeName !== undefined) {
    for (const t of sources.types) if (t && t !== atIndex && t.site.name === typeName) candidates.push(t);
    candidates.push(...(sources.extensions.get(typeName) ?? []));
  }
  for (const type of candidates) {
    const site = type.site.relations.find((r) => r.name === relationName);
    if (site) return { ...(type.file !== undefined ? { file: type.file } : {}), site };
  }
  return undefined;
}

/** The span inside a relation definition that a diagnostic is about, by rule. */
function spanInRelation(d: Diagnostic, relation: RelationSite, facts: PathFacts, typeDefinition: AuthorizationModel['type_definitions'][number] | undefined): SourceSpan | undefined {
  const symbol = d.symbol;
  const byRestrictionPath = facts.restrictionIndex !== undefined ? relation.restrictions[facts.restrictionIndex] : undefined;
  const rewriteFromPath = rewriteAtPath(relation, facts, typeDefinition);

  switch (d.code) {
    case 'relation-no-entry-point':
    case 'reserved-relation-keywords':
    case 'invalid-name':
    case 'self-error':
    case 'assignable-relation-must-have-type':
      return relation.nameSpan;
    case 'invalid-type':
      return (
        restriction(relation, (r) => r.key === symbol)?.typeSpan ??
        restriction(relation, (r) => r.type === symbol)?.typeSpan ??
        byRestrictionPath?.typeSpan
      );
    case 'condition-not-defined':
      return restriction(relation, (r) => r.condition === symbol)?.conditionSpan ?? byRestrictionPath?.conditionSpan;
    case 'type-wildcard-relation':
      return restriction(relation, (r) => r.key === symbol || restrictionText(r) === symbol)?.baseSpan ?? byRestrictionPath?.baseSpan;
    case 'duplicated-error':
      // OpenFGA points at the first occurrence of the duplicated entry.
      return (
        restriction(relation, (r) => r.key === symbol || restrictionText(r) === symbol)?.baseSpan ??
        rewrite(relation, (w) => w.key === symbol)?.span ??
        byRestrictionPath?.baseSpan ??
        rewriteFromPath?.span
      );
    case 'invalid-relation-type': {
      // `group#org` in a restriction, or `x from org` when `org` is not a relation of the type.
      const fromPath = rewriteFromPath?.span ?? byRestrictionPath?.baseSpan;
      return (
        restriction(relation, (r) => r.key === symbol)?.baseSpan ??
        rewrite(relation, (w) => w.kind === 'tupleToUserset' && w.key === symbol)?.span ??
        fromPath ??
        restriction(relation, (r) => r.relation === symbol)?.baseSpan ??
        rewrite(relation, (w) => w.kind === 'tupleToUserset' && w.tupleset === symbol)?.span
      );
    }
    case 'invalid-relation-on-tupleset':
      return (
        rewrite(relation, (w) => w.kind === 'tupleToUserset' && w.key === symbol)?.span ??
        (rewriteFromPath?.kind === 'tupleToUserset' ? rewriteFromPath.span : undefined) ??
        rewrite(relation, (w) => w.kind === 'tupleToUserset' && w.computed === symbol)?.span
      );
    case 'tupleuserset-not-direct': {
      const fromPath = rewriteFromPath?.kind === 'tupleToUserset' ? rewriteFromPath : undefined;
      const site =
        fromPath && (symbol === undefined || fromPath.tupleset === symbol || fromPath.key === symbol)
          ? fromPath
          : rewrite(relation, (w) => w.kind === 'tupleToUserset' && (w.tupleset === symbol || w.key === symbol));
      return site?.kind === 'tupleToUserset' ? site.tuplesetSpan : undefined;
    }
    case 'missing-definition': {
      if (rewriteFromPath) {
        if (rewriteFromPath.kind === 'computed') return rewriteFromPath.span;
        if (rewriteFromPath.tupleset === symbol) return rewriteFromPath.tuplesetSpan;
        if (rewriteFromPath.computed === symbol) return rewriteFromPath.computedSpan;
      }
      const computed = rewrite(relation, (w) => w.kind === 'computed' && w.relation === symbol);
      if (computed) return computed.span;
      const ttu = rewrite(relation, (w) => w.kind === 'tupleToUserset' && (w.tupleset === symbol || w.computed === symbol));
      if (ttu?.kind === 'tupleToUserset') return ttu.tupleset === symbol ? ttu.tuplesetSpan : ttu.computedSpan;
      return undefined;
    }
    default:
      return (
        rewriteFromPath?.span ??
        byRestrictionPath?.baseSpan ??
        (symbol !== undefined ? anySpanFor(relation, symbol) : undefined)
      );
  }
}

function restriction(relation: RelationSite, test: (r: RestrictionSite) => boolean): RestrictionSite | undefined {
  return relation.restrictions.find(test);
}

function rewrite(relation: RelationSite, test: (w: RewriteSite) => boolean): RewriteSite | undefined {
  return relation.rewrites.find(test);
}

function restrictionText(r: RestrictionSite): string {
  return r.condition !== undefined ? `${r.key} with ${r.condition}` : r.key;
}

function anySpanFor(relation: RelationSite, symbol: string): SourceSpan | undefined {
  return (
    restriction(relation, (r) => r.key === symbol || restrictionText(r) === symbol)?.baseSpan ??
    rewrite(relation, (w) => w.key === symbol)?.span ??
    restriction(relation, (r) => r.type === symbol)?.typeSpan ??
    restriction(relation, (r) => r.condition === symbol)?.conditionSpan ??
    rewrite(relation, (w) => w.kind === 'tupleToUserset' && w.tupleset === symbol)?.span
  );
}

/**
 * The rewrite operand a JSON path points at. The DSL-to-JSON transform keeps operands in source
 * order, so the n-th computed or tuple-to-userset leaf of the userset tree (depth first, left to
 * right) is the n-th operand written.
 */
function rewriteAtPath(
  relation: RelationSite,
  facts: PathFacts,
  typeDefinition: AuthorizationModel['type_definitions'][number] | undefined,
): RewriteSite | undefined {
  const path = facts.usersetPath;
  const root = typeDefinition?.relations?.[relation.name];
  if (!path || path.length === 0 || !root) return undefined;
  let node: unknown = root;
  let target: Userset | undefined;
  for (const key of path) {
    if (isLeaf(node)) {
      target = node;
      break;
    }
    if (typeof node !== 'object' || node === null) return undefined;
    node = (node as Record<string | number, unknown>)[key];
  }
  target ??= isLeaf(node) ? node : undefined;
  if (!target) return undefined;
  const leaves: Userset[] = [];
  collectLeaves(root, leaves);
  const ordinal = leaves.indexOf(target);
  return ordinal >= 0 ? relation.rewrites[ordinal] : undefined;
}

function isLeaf(node: unknown): node is Userset {
  return typeof node === 'object' && node !== null && ('computedUserset' in node || 'tupleToUserset' in node);
}

function collectLeaves(node: Userset, into: Userset[]): void {
  if ('computedUserset' in node || 'tupleToUserset' in node) {
    into.push(node);
  } else if ('union' in node) {
    for (const child of node.union.child ?? []) collectLeaves(child, into);
  } else if ('intersection' in node) {
    for (const child of node.intersection.child ?? []) collectLeaves(child, into);
  } else if ('difference' in node) {
    if (node.difference.base) collectLeaves(node.difference.base, into);
    if (node.difference.subtract) collectLeaves(node.difference.subtract, into);
  }
}
