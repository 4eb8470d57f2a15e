import express from 'express';
import type { Express, Request, Response } from 'express';
import { createAuthorizer, MemorySource } from '@gatehouse/core';
import type { Authorizer } from '@gatehouse/core';
import { parseDSL } from '@gatehouse/core/dsl';
import { gatehouse, mountController, param, requirePermission, RequirePermission, Route } from '@gatehouse/express';
import type { GatehouseExpressOptions } from '@gatehouse/express';
import { MODEL, TUPLES } from './model';

/** A ready authorizer over the seed data (in memory). */
export async function createSeededAuthorizer(): Promise<Authorizer> {
  const authorizer = createAuthorizer({ source: new MemorySource({ model: parseDSL(MODEL), tuples: TUPLES, revision: 1 }) });
  await authorizer.ready();
  return authorizer;
}

/** Album endpoints as a class-based controller guarded by the standard decorator. */
class AlbumController {
  @Route('get', '/albums/:id')
  @RequirePermission('viewer', param('id', 'album'))
  show(req: Request, res: Response): void {
    res.json({ album: req.params.id });
  }

  @Route('put', '/albums/:id')
  @RequirePermission('editor', param('id', 'album'))
  update(req: Request, res: Response): void {
    res.json({ album: req.params.id, updated: true });
  }
}

/** The API: the user is named by the `x-user` header (stand-in for real authentication). */
export function createApp(authorizer: Authorizer): Express {
  const options: GatehouseExpressOptions = {
    authorizer,
    getUser: (req) => {
      const id = req.get('x-user');
      return id === undefined || id === '' ? undefined : `user:${id}`;
    },
    // Conditions see the request time; a test may pin it with `x-now`.
    context: (req) => ({ current_time: req.get('x-now') ?? new Date().toISOString() }),
  };
  const app = express();
  app.use(express.json());
  app.use(gatehouse(options));

  app.get('/tracks', (req, res) => {
    res.json({ tracks: req.authz?.listObjects('viewer', 'track') ?? [] });
  });
  app.get('/tracks/:id', requirePermission('viewer', param('id', 'track'), options), (req, res) => {
    res.json({ track: req.params.id, canEdit: req.authz?.can('editor', `track:${req.params.id}`) ?? false });
  });
  app.put('/tracks/:id', requirePermission('editor', param('id', 'track'), options), (req, res) => {
    res.json({ track: req.params.id, updated: true });
  });
  app.get('/artists/:id/settings', requirePermission('admin', param('id', 'artist'), options), (req, res) => {
    res.json({ artist: req.params.id, settings: {} });
  });
  app.use(mountController(express.Router(), new AlbumController()));
  return app;
}
