import { writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import {
  compileModel,
  createEvaluator,
  createTupleStore,
  encodeBundle,
  formatDiagnostics,
  GatehouseError,
  isGatehouseError,
  ModelValidationError,
  safeParseModel,
  toRevision,
  type AuthorizationModel,
  type Diagnostic,
  type Evaluator,
  type TupleKey,
} from '@gatehouse/core';
import { printDSL, validateDSL, validateModularModel } from '@gatehouse/core/dsl';
import { hashModelId, loadPolicyFile, loadTupleFile } from '@gatehouse/node';
import { generateTypes } from './commands/types';
import { runStoreTest, type AssertionResult } from './commands/storeTest';
import { EXIT, UsageError } from './errors';
import { loadModel, modelKind, parseContext, parseTupleArg, readModularFiles, readText } from './io';

/** Where the command writes, and whether it may use colour. */
export interface CliIO {
  /** Standard output. */
  readonly stdout: (text: string) => void;
  /** Standard error. */
  readonly stderr: (text: string) => void;
  /** True when stdout is a terminal (colour is used only then, and never with `NO_COLOR`). */
  readonly isTTY: boolean;
  /** The environment (reads `NO_COLOR`). */
  readonly env: Readonly<Record<string, string | undefined>>;
}

const SOURCE_OPTS = {
  model: { type: 'string' },
  tuples: { type: 'string' },
  store: { type: 'string' },
  context: { type: 'string' },
  'contextual-tuple': { type: 'string', multiple: true },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

const HELP: Record<string, string> = {
  main: `gatehouse: OpenFGA-compatible authorization tooling

Usage: gatehouse <command> [options]

Commands:
  validate MODEL            check a model (.fga, .json or fga.mod)
  test FILE...              run OpenFGA store test files (*.fga.yaml)
  check USER RELATION OBJECT          is USER related to OBJECT?
  list-objects USER RELATION TYPE     objects of TYPE USER has RELATION to
  list-users OBJECT RELATION FILTER   users (of type[#relation] FILTER) with RELATION
  explain USER RELATION OBJECT        why a check is allowed or denied
  bundle                    build a snapshot bundle for FileSource / HttpBundleSource
  transform MODEL           convert DSL <-> JSON
  types MODEL               generate TypeScript types from a model
  migrate                   create or upgrade the PostgreSQL schema of @gatehouse/postgres

Run \`gatehouse <command> --help\` for a command's options.
Example: gatehouse test tests/store.fga.yaml`,
  validate: `Usage: gatehouse validate MODEL [--json]

Validates a model: DSL (.fga), JSON (.json) or modular (fga.mod). Problems print as
file:line:col code message (1-based) and the command exits 1.

Example: gatehouse validate model.fga`,
  test: `Usage: gatehouse test FILE... [--json]

Runs OpenFGA store test files (fga model test semantics). Prints each failing assertion with
expected and actual values, then "N passed, N failed"; exits 1 when any assertion failed.

Example: gatehouse test store.fga.yaml`,
  check: `Usage: gatehouse check USER RELATION OBJECT (--store FILE | --model M --tuples T)
       [--context JSON] [--contextual-tuple "object#relation@user [with COND [JSON]]"]... [--json]

Prints "allowed" or "denied" (exit 0 either way).

Example: gatehouse check user:anne viewer document:roadmap --store store.fga.yaml`,
  'list-objects': `Usage: gatehouse list-objects USER RELATION TYPE (--store FILE | --model M --tuples T) [--context JSON] [--json]

Example: gatehouse list-objects user:anne viewer document --model model.fga --tuples tuples.yaml`,
  'list-users': `Usage: gatehouse list-users OBJECT RELATION TYPE[#RELATION]... (--store FILE | --model M --tuples T) [--context JSON] [--json]

Example: gatehouse list-users document:roadmap viewer user --store store.fga.yaml`,
  explain: `Usage: gatehouse explain USER RELATION OBJECT (--store FILE | --model M --tuples T) [--context JSON] [--json]

Prints the evaluation tree: which relations, tuples and conditions decided the check.

Example: gatehouse explain user:anne viewer document:roadmap --store store.fga.yaml`,
  bundle: `Usage: gatehouse bundle (--store FILE | --model M [--tuples T]) [--revision N] [--out FILE]

Builds a snapshot bundle (JSON) for FileSource or HttpBundleSource; writes to stdout without --out.

Example: gatehouse bundle --store store.fga.yaml --revision 1 --out policy.bundle.json`,
  transform: `Usage: gatehouse transform MODEL [--to dsl|json] [--out FILE]

Converts a DSL model (.fga, fga.mod) to JSON, or a JSON model to DSL. The direction follows the
extension unless --to is given.

Example: gatehouse transform model.fga --out model.json`,
  types: `Usage: gatehouse types MODEL [--out FILE]

Generates a TypeScript module with the object types, relations per type and condition context
shapes, so SDK calls are checked at compile time.

Example: gatehouse types model.fga --out src/authz.generated.ts`,
  migrate: `Usage: gatehouse migrate [--database-url URL] [--schema NAME] [--json]

Creates or upgrades the tables of @gatehouse/postgres (stores, models, tuples, changelog) to the
version this release needs. Idempotent, and safe to run from several deploys at once (a
PostgreSQL advisory lock serialises migrators). Refuses a schema migrated by a newer release.

  --database-url URL   the database (default: the DATABASE_URL environment variable)
  --schema NAME        the schema (default: gatehouse)

Example: gatehouse migrate --database-url postgres://gatehouse@db:5432/authz`,
};

/**
 * Runs the `gatehouse` command and returns its exit code. This is the one place where errors
 * become exit codes: model and input problems (GatehouseError) exit 1, usage mistakes exit 64,
 * anything else is a bug: "internal error, please report", exit 2.
 */
export async function run(argv: readonly string[], io: CliIO): Promise<number> {
  const colour = io.isTTY && !io.env.NO_COLOR;
  const paint = (code: number, text: string) => (colour ? `\u001b[${code}m${text}\u001b[0m` : text);
  const red = (t: string) => paint(31, t);
  const green = (t: string) => paint(32, t);
  try {
    return await dispatch(argv, io, { red, green });
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr(`${red('error:')} ${error.message}\nRun \`gatehouse --help\` for usage.\n`);
      return EXIT.usage;
    }
    if (error instanceof ModelValidationError) {
      io.stderr(`${formatDiagnostics(error.diagnostics.filter((d) => d.severity === 'error'))}\n`);
      return EXIT.failure;
    }
    if (isGatehouseError(error)) {
      io.stderr(`${red('error:')} ${error.message} (${error.code})\n`);
      return EXIT.failure;
    }
    io.stderr(`internal error, please report: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    return EXIT.internal;
  }
}

interface Paint {
  red(t: string): string;
  green(t: string): string;
}

function parse<O extends Parameters<typeof parseArgs>[0] extends infer C ? C extends { options?: infer X } ? X : never : never>(args: readonly string[], options: O) {
  try {
    return parseArgs({ args: [...args], options: options as never, allowPositionals: true, strict: true }) as {
      values: Record<string, string | boolean | string[] | undefined>;
      positionals: string[];
    };
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

async function dispatch(argv: readonly string[], io: CliIO, paint: Paint): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
    io.stdout(`${HELP.main}\n`);
    return EXIT.ok;
  }
  if (!(command in HELP) || command === 'main') throw new UsageError(`unknown command "${command}"`);
  const { values, positionals } = parse(rest, {
    ...SOURCE_OPTS,
    out: { type: 'string', short: 'o' },
    to: { type: 'string' },
    revision: { type: 'string' },
    'database-url': { type: 'string' },
    schema: { type: 'string' },
  });
  if (values.help) {
    io.stdout(`${HELP[command]}\n`);
    return EXIT.ok;
  }
  const str = (name: string) => values[name] as string | undefined;
  const json = values.json === true;
  const need = (n: number, what: string) => {
    if (positionals.length < n) throw new UsageError(`${command} needs ${what}\n\n${HELP[command]}`);
  };

  switch (command) {
    case 'validate': {
      need(1, 'a MODEL file');
      const diagnostics = await validateFile(positionals[0]!);
      const errors = diagnostics.filter((d) => d.severity === 'error');
      if (json) io.stdout(`${JSON.stringify({ valid: errors.length === 0, diagnostics }, null, 2)}\n`);
      else if (diagnostics.length > 0) io.stderr(`${formatDiagnostics(diagnostics, positionals[0])}\n`);
      if (!json && errors.length === 0) io.stdout(`${paint.green('valid')} ${positionals[0]}\n`);
      return errors.length === 0 ? EXIT.ok : EXIT.failure;
    }
    case 'test': {
      need(1, 'at least one store test FILE');
      const results: AssertionResult[] = [];
      for (const file of positionals) results.push(...(await runStoreTest(file)));
      const failed = results.filter((r) => !r.passed);
      const passed = results.length - failed.length;
      if (json) {
        io.stdout(`${JSON.stringify({ passed, failed: failed.length, results }, null, 2)}\n`);
      } else {
        for (const r of failed) {
          const actual = r.error !== undefined ? `error ${r.error}` : JSON.stringify(r.actual);
          io.stdout(`${paint.red('FAIL')} ${r.file} > ${r.test} > ${r.kind} ${r.query}\n  expected: ${JSON.stringify(r.expected)}\n  actual:   ${actual}\n`);
        }
        const line = `${passed} passed, ${failed.length} failed`;
        io.stdout(`${failed.length > 0 ? paint.red(line) : paint.green(line)}\n`);
      }
      return failed.length > 0 ? EXIT.failure : EXIT.ok;
    }
    case 'check':
    case 'explain': {
      need(3, 'USER RELATION OBJECT');
      const evaluator = await openEvaluator(values);
      const [user, relation, object] = positionals as [string, string, string];
      const request = { user, relation, object, ...requestExtras(values) };
      if (command === 'check') {
        const { allowed } = evaluator.check(request);
        io.stdout(json ? `${JSON.stringify({ allowed })}\n` : `${allowed ? paint.green('allowed') : paint.red('denied')}\n`);
      } else {
        const explanation = evaluator.explain(request);
        if (json) io.stdout(`${JSON.stringify({ allowed: explanation.allowed, outcome: explanation.outcome, tree: explanation.tree }, null, 2)}\n`);
        else io.stdout(`${explanation.allowed ? paint.green('allowed') : paint.red('denied')}\n${explanation.text}\n`);
      }
      return EXIT.ok;
    }
    case 'list-objects': {
      need(3, 'USER RELATION TYPE');
      const evaluator = await openEvaluator(values);
      const [user, relation, type] = positionals as [string, string, string];
      const objects = [...evaluator.listObjects({ user, relation, type, ...requestExtras(values) }).objects].sort();
      io.stdout(json ? `${JSON.stringify({ objects })}\n` : objects.map((o) => `${o}\n`).join(''));
      return EXIT.ok;
    }
    case 'list-users': {
      need(3, 'OBJECT RELATION TYPE[#RELATION]');
      const evaluator = await openEvaluator(values);
      const [object, relation, ...filters] = positionals as [string, string, ...string[]];
      const userFilters = filters.map((f) => {
        const [type, rel] = f.split('#');
        return { type: type!, ...(rel ? { relation: rel } : {}) };
      });
      const users = [...evaluator.listUsers({ object, relation, userFilters, ...requestExtras(values) }).users].sort();
      io.stdout(json ? `${JSON.stringify({ users })}\n` : users.map((u) => `${u}\n`).join(''));
      return EXIT.ok;
    }
    case 'bundle': {
      const { model, tuples } = await openSource(values, false);
      const revision = toRevision(str('revision') ?? '1');
      const text = encodeBundle({ model, modelId: hashModelId(model), revision, tuples });
      await emit(io, str('out'), text.endsWith('\n') ? text : `${text}\n`);
      return EXIT.ok;
    }
    case 'transform': {
      need(1, 'a MODEL file');
      const file = positionals[0]!;
      const to = str('to') ?? (modelKind(file) === 'json' ? 'dsl' : 'json');
      if (to !== 'dsl' && to !== 'json') throw new UsageError(`--to must be dsl or json, got "${to}"`);
      const model = await loadModel(file);
      const out = to === 'json' ? `${JSON.stringify(model, null, 2)}\n` : printDSL(model);
      await emit(io, str('out'), out.endsWith('\n') ? out : `${out}\n`);
      return EXIT.ok;
    }
    case 'types': {
      need(1, 'a MODEL file');
      const model = await loadModel(positionals[0]!);
      await emit(io, str('out'), generateTypes(model, positionals[0]!));
      return EXIT.ok;
    }
    case 'migrate': {
      const url = str('database-url') ?? io.env.DATABASE_URL;
      if (url === undefined || url === '') throw new UsageError(`migrate needs --database-url URL (or DATABASE_URL)\n\n${HELP.migrate}`);
      // Loaded here only: the other commands never load the PostgreSQL driver.
      const { createPostgresStore } = await import('@gatehouse/postgres');
      const store = createPostgresStore({ connectionString: url, ...(str('schema') === undefined ? {} : { schema: str('schema') }) });
      try {
        const result = await store.migrate();
        if (json) io.stdout(`${JSON.stringify(result)}\n`);
        else if (result.applied.length === 0) io.stdout(`schema ${result.schema} is up to date (version ${result.to})\n`);
        else io.stdout(`${paint.green('migrated')} schema ${result.schema} from version ${result.from} to ${result.to}:\n${result.applied.map((m) => `  ${m}\n`).join('')}`);
        return EXIT.ok;
      } finally {
        await store.close();
      }
    }
  }
  throw new UsageError(`unknown command "${command}"`);
}

async function validateFile(file: string): Promise<Diagnostic[]> {
  const kind = modelKind(file);
  if (kind === 'mod') return validateModularModel(await readModularFiles(file));
  const text = await readText(file);
  if (kind === 'dsl') return validateDSL(text, { fileName: file });
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new GatehouseError('invalid_authorization_model', `${file}: invalid JSON: ${(error as Error).message}`, { cause: error });
  }
  const result = safeParseModel(value);
  return result.ok ? [...(result.warnings ?? [])] : [...result.diagnostics];
}

type Values = Record<string, string | boolean | string[] | undefined>;

function requestExtras(values: Values): { context?: Record<string, unknown>; contextualTuples?: TupleKey[] } {
  const context = parseContext(values.context as string | undefined);
  const contextual = ((values['contextual-tuple'] as string[] | undefined) ?? []).map(parseTupleArg);
  return { ...(context ? { context } : {}), ...(contextual.length > 0 ? { contextualTuples: contextual } : {}) };
}

async function openSource(values: Values, needTuples: boolean): Promise<{ model: AuthorizationModel; tuples: readonly TupleKey[] }> {
  const store = values.store as string | undefined;
  const modelFile = values.model as string | undefined;
  if (store !== undefined) {
    if (modelFile !== undefined) throw new UsageError('use either --store or --model, not both');
    const policy = await loadPolicyFile(store);
    return { model: policy.model, tuples: policy.tuples };
  }
  if (modelFile === undefined) throw new UsageError('give --store FILE.fga.yaml, or --model MODEL and --tuples TUPLES');
  const tuplesFile = values.tuples as string | undefined;
  if (needTuples && tuplesFile === undefined) throw new UsageError('--model needs --tuples TUPLES (a YAML or JSON list of tuples)');
  return { model: await loadModel(modelFile), tuples: tuplesFile === undefined ? [] : await loadTupleFile(tuplesFile) };
}

async function openEvaluator(values: Values): Promise<Evaluator> {
  const { model, tuples } = await openSource(values, true);
  const compiled = compileModel(model);
  return createEvaluator(compiled, createTupleStore(compiled, tuples));
}

async function emit(io: CliIO, out: string | undefined, text: string): Promise<void> {
  if (out === undefined) {
    io.stdout(text);
    return;
  }
  await writeFile(out, text, 'utf8');
  io.stderr(`wrote ${out}\n`);
}
