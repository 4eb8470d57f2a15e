import { getArtist, invalidName, renameArtist } from '../../../../lib/artists';
import { gatehouse } from '../../../../lib/gatehouse';

// A JSON API guarded per method by `withPermission`: 401 without a user, 403 without the
// relation, 400 for a malformed id, as RFC 9457 problem+json; the handler runs only when allowed.

type Context = { readonly params: Promise<{ readonly id: string }> };

const artistOf = async (_request: Request, context: Context) => `artist:${(await context.params).id}`;

/** The artist, for its viewers. */
export const GET = gatehouse.withPermission('viewer', artistOf, async (_request: Request, context: Context) => {
  const artist = getArtist((await context.params).id);
  return artist === undefined ? Response.json({ error: 'not_found' }, { status: 404 }) : Response.json(artist);
});

/** Renames the artist (`{ "name": "..." }`), for its editors. */
export const PATCH = gatehouse.withPermission('editor', artistOf, async (request: Request, context: Context) => {
  const { id } = await context.params;
  const body: unknown = await request.json().catch(() => undefined);
  const name = typeof body === 'object' && body !== null && 'name' in body && typeof body.name === 'string' ? body.name : undefined;
  const problem = name === undefined ? 'The body must be {"name": string}.' : invalidName(name);
  if (problem !== undefined || name === undefined) return Response.json({ error: 'validation_error', message: problem }, { status: 400 });
  const renamed = renameArtist(id, name.trim());
  return renamed === undefined ? Response.json({ error: 'not_found' }, { status: 404 }) : Response.json(renamed);
});
