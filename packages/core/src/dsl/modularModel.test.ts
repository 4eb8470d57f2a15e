import { transformModuleFilesToModel } from '@openfga/syntax-transformer/dist/transformer/modules/modules-to-model.js';
import { describe, expect, it } from 'vitest';
import { ModelValidationError, type Diagnostic } from '../errors/index';
import { parseModularModel, safeParseModularModel, validateModularModel } from './index';

const modFile = {
  name: 'fga.mod',
  contents: `schema: '1.2'
contents:
  - core.fga
  - tracker/projects.fga
  - tracker/issues.fga
`,
};

const core = {
  name: 'core.fga',
  contents: `module core

type user

type organization
  relations
    define member: [user]
    define admin: [user]
`,
};

const projects = {
  name: 'tracker/projects.fga',
  contents: `module tracker

extend type organization
  relations
    define can_create_project: admin or member

type project
  relations
    define organization: [organization]
    define viewer: [user with not_expired] or member from organization

condition not_expired(current_time: timestamp, expires_at: timestamp) {
  current_time < expires_at
}
`,
};

const issues = {
  name: 'tracker/issues.fga',
  contents: `module tracker

type issue # the unit of work
  relations
    define project: [project]
    define reader: viewer from project
`,
};

const files = [modFile, core, projects, issues];

function where(d: Diagnostic): string {
  return `${d.code} ${d.file}:${d.line?.start}:${d.column?.start}`;
}

describe('parseModularModel', () => {
  it('merges module files, extensions and conditions with their provenance', () => {
    const model = parseModularModel(files);
    expect(model.schema_version).toBe('1.2');
    expect(model.type_definitions.map((t) => [t.type, t.metadata?.module, t.metadata?.source_info?.file])).toEqual([
      ['user', 'core', 'core.fga'],
      ['organization', 'core', 'core.fga'],
      ['project', 'tracker', 'tracker/projects.fga'],
      ['issue', 'tracker', 'tracker/issues.fga'],
    ]);
    const organization = model.type_definitions[1];
    expect(Object.keys(organization?.relations ?? {})).toEqual(['member', 'admin', 'can_create_project']);
    expect(organization?.metadata?.relations?.can_create_project).toEqual({
      directly_related_user_types: [],
      module: 'tracker',
      source_info: { file: 'tracker/projects.fga' },
    });
    expect(model.conditions?.not_expired).toMatchObject({
      name: 'not_expired',
      expression: 'current_time < expires_at',
      metadata: { module: 'tracker', source_info: { file: 'tracker/projects.fga' } },
    });
  });

  it('produces the same model as the OpenFGA CLI merge', () => {
    const modules = [core, projects, issues].map((f) => ({ name: f.name, contents: f.contents }));
    expect(parseModularModel(files)).toEqual(JSON.parse(JSON.stringify(transformModuleFilesToModel(modules, '1.2'))));
  });

  it('accepts a project folder prefix and ./ paths, resolving contents next to fga.mod', () => {
    const nested = files.map((f) => ({ name: `./authz/${f.name}`, contents: f.contents }));
    const model = parseModularModel(nested);
    expect(model.type_definitions[3]?.metadata?.source_info?.file).toBe('authz/tracker/issues.fga');
  });

  it('accepts an empty extend type, where the OpenFGA merge throws a TypeError', () => {
    const model = parseModularModel([
      { name: 'fga.mod', contents: "schema: '1.2'\ncontents:\n  - a.fga\n  - b.fga\n" },
      { name: 'a.fga', contents: 'module a\n\ntype user\n\ntype org\n' },
      { name: 'b.fga', contents: 'module b\n\nextend type org\n' },
    ]);
    expect(model.type_definitions.map((t) => [t.type, t.relations])).toEqual([
      ['user', {}],
      ['org', {}],
    ]);
  });

  it('reports semantic problems in the file and at the position they are written', () => {
    const broken = { ...issues, contents: issues.contents.replace('viewer from project', 'editor from project') };
    const diagnostics = validateModularModel([modFile, core, projects, broken]);
    expect(diagnostics.map(where)).toEqual(['invalid-relation-on-tupleset tracker/issues.fga:5:19']);
    expect(() => parseModularModel([modFile, core, projects, broken])).toThrow(ModelValidationError);
  });

  it('reports problems of extensions in the extending file', () => {
    const broken = {
      ...projects,
      contents: projects.contents.replace('admin or member', 'admin or owner').replace('extend type organization', 'extend type organization # adds projects'),
    };
    const result = safeParseModularModel([modFile, core, broken, issues]);
    expect(result.ok).toBe(false);
    expect(result.ok ? [] : result.diagnostics.map(where)).toEqual(['missing-definition tracker/projects.fga:4:40']);
  });

  it('reports merge problems: a relation added twice, an unknown extended type, a condition in two files', () => {
    const twice = {
      ...issues,
      contents: `${issues.contents}
extend type organization
  relations
    define member: [user]

extend type team
  relations
    define lead: [user]

condition not_expired(current_time: timestamp, expires_at: timestamp) {
  current_time < expires_at
}
`,
    };
    const diagnostics = validateModularModel([modFile, core, projects, twice]);
    expect(diagnostics.map(where)).toEqual([
      'duplicated-error tracker/issues.fga:9:11',
      'invalid-type tracker/issues.fga:11:12',
      'duplicated-error tracker/issues.fga:15:10',
    ]);
    expect(diagnostics[0]).toMatchObject({ type: 'organization', relation: 'member' });
  });

  it('reports syntax errors of every file at once, with code invalid_dsl', () => {
    const bad = [modFile, { ...core, contents: core.contents.replace('define admin: [user]', 'define admin [user]') }, projects, { ...issues, contents: issues.contents.replace('define project: [project]', 'define project: [project') }];
    let error: unknown;
    try {
      parseModularModel(bad);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ModelValidationError);
    const failure = error as ModelValidationError;
    expect(failure.code).toBe('invalid_dsl');
    expect(new Set(failure.diagnostics.map((d) => d.file))).toEqual(new Set(['core.fga', 'tracker/issues.fga']));
    expect(failure.diagnostics.every((d) => d.code === 'invalid-syntax' && d.line !== undefined)).toBe(true);
    expect(failure.message).toContain('core.fga:8:');
  });

  it('checks fga.mod and the file list', () => {
    expect(validateModularModel([core]).map((d) => [d.code, d.file])).toEqual([['schema-version-required', 'fga.mod']]);
    expect(validateModularModel([{ name: 'fga.mod', contents: "schema: '1.1'\ncontents:\n  - core.fga\n" }, core]).map(where)).toEqual([
      'schema-version-unsupported fga.mod:0:8',
    ]);
    const missing = validateModularModel([modFile, core, projects]);
    expect(missing.map(where)).toEqual(['missing-definition fga.mod:4:4']);
    expect(missing[0]?.message).toContain('tracker/issues.fga');
  });

  it('ignores files fga.mod does not list, and rejects model files posing as modules', () => {
    const extra = { name: 'notes.fga', contents: 'module notes\n\ntype note\n  relations\n    define broken: missing\n' };
    const result = safeParseModularModel([...files, extra]);
    expect(result.ok && result.value.type_definitions.map((t) => t.type)).toEqual(['user', 'organization', 'project', 'issue']);
    const notModule = { ...issues, contents: 'model\n  schema 1.1\n\ntype issue\n' };
    expect(validateModularModel([modFile, core, projects, notModule]).map(where)).toEqual(['invalid-syntax tracker/issues.fga:0:0']);
  });

  it('refuses input that is not a list of files, with a GatehouseError', () => {
    expect(() => parseModularModel('fga.mod' as never)).toThrow(expect.objectContaining({ code: 'validation_error' }));
    expect(() => parseModularModel([{ name: 'fga.mod', contents: 3 }] as never)).toThrow(expect.objectContaining({ code: 'validation_error' }));
  });
});
