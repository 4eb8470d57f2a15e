/** An artist as the catalog stores it. */
export interface Artist {
  readonly id: string;
  readonly name: string;
  readonly bio: string;
  readonly releases: readonly string[];
}

const SEED: readonly Artist[] = [
  { id: 'nova', name: 'Nova', bio: 'Synth-pop from the night shift.', releases: ['Afterglow (2024)', 'Low Orbit (2025)'] },
  { id: 'kite', name: 'Kite', bio: 'Paper-thin guitar pop, unreleased so far.', releases: ['Paper Skies (demo)'] },
];

// The catalog is the app's own data, not policy: a Map on globalThis, because Next.js may load
// this module once per route bundle, and every bundle must see the same renames.
const KEY = Symbol.for('gatehouse-example.artists');
type Global = typeof globalThis & { [KEY]?: Map<string, Artist> };

function catalog(): Map<string, Artist> {
  const g = globalThis as Global;
  g[KEY] ??= new Map(SEED.map((a) => [a.id, a]));
  return g[KEY];
}

/** Every artist, in seed order. */
export function listArtists(): readonly Artist[] {
  return [...catalog().values()];
}

/** One artist, or `undefined` for an unknown id. */
export function getArtist(id: string): Artist | undefined {
  return catalog().get(id);
}

/** Renames an artist; returns the updated record, or `undefined` for an unknown id. */
export function renameArtist(id: string, name: string): Artist | undefined {
  const artist = catalog().get(id);
  if (artist === undefined) return undefined;
  const renamed = { ...artist, name };
  catalog().set(id, renamed);
  return renamed;
}

/** Checks a proposed artist name; returns the problem, or `undefined` when it is fine. */
export function invalidName(name: string): string | undefined {
  const trimmed = name.trim();
  if (trimmed === '') return 'The name must not be empty.';
  if (trimmed.length > 60) return 'The name must be at most 60 characters.';
  return undefined;
}
