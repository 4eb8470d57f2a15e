import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// The rules of STYLE.md §2.1, checked on the source itself: core imports no Node built-ins or
// runtime globals (it must run in browsers and the Edge runtime), and inside core, modules import
// only from modules to their left in this order.
const ORDER = [
  ['errors'],
  ['model'],
  ['dsl', 'validation', 'tuples', 'conditions', 'builder'],
  ['store'],
  ['engine'],
  ['snapshot'],
  ['sync'],
  ['authorizer'],
  ['http'],
];

const src = resolve(dirname(fileURLToPath(import.meta.url)), '../src');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return /\.tsx?$/.test(name) && !/\.test(-d)?\.tsx?$/.test(name) ? [path] : [];
  });
}

function layerOf(file: string): number {
  const top = relative(src, file).split(sep)[0] ?? '';
  return ORDER.findIndex((group) => group.includes(top));
}

const IMPORT = /(?:^|\n)\s*(?:import|export)\s[^;]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)|require\(\s*['"]([^'"]+)['"]\s*\)/g;

function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return [...text.matchAll(IMPORT)].map((m) => m[1] ?? m[2] ?? m[3] ?? '');
}

const files = sourceFiles(src);

describe('core architecture', () => {
  it('has source files to check', () => {
    expect(files.length).toBeGreaterThan(3);
  });

  it.each(files.map((f) => [relative(src, f), f]))('%s imports no Node built-ins or Node globals', (_, file) => {
    const builtins = importsOf(file).filter((spec) => spec.startsWith('node:') || ['fs', 'path', 'crypto', 'os', 'util', 'events', 'url', 'stream', 'buffer', 'child_process'].includes(spec));
    expect(builtins).toEqual([]);
    const code = readFileSync(file, 'utf8').replace(/\/\/.*|\/\*[\s\S]*?\*\//g, '');
    expect(code).not.toMatch(/\b(process\.|Buffer\.|__dirname|__filename|require\.resolve)/);
  });

  it.each(files.filter((f) => layerOf(f) >= 0).map((f) => [relative(src, f), f]))('%s imports only from layers to its left', (_, file) => {
    const own = layerOf(file);
    const offending = importsOf(file)
      .filter((spec) => spec.startsWith('.'))
      .map((spec) => resolve(dirname(file), spec))
      .filter((target) => layerOf(target) > own)
      .map((target) => relative(src, target));
    expect(offending).toEqual([]);
  });

  it('the main entry never loads the DSL parser', () => {
    const index = readFileSync(join(src, 'index.ts'), 'utf8');
    expect(index).not.toMatch(/from\s+['"]\.\/dsl/);
    for (const file of files.filter((f) => !relative(src, f).startsWith(`dsl${sep}`))) {
      expect(importsOf(file).filter((s) => s.includes('syntax-transformer') || s.includes('antlr4'))).toEqual([]);
    }
  });
});
