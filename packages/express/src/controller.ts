import type { NextFunction, Request, Response, Router } from 'express';
import { GatehouseError } from '@gatehouse/core';
import { guardRequest, optionsOf } from './requirePermission';
import type { ObjectResolver } from './requirePermission';
import { problemFor, PROBLEM_JSON } from '@gatehouse/core/http';

/** The HTTP methods {@link Route} can mount. */
export type RouteMethod = 'get' | 'post' | 'put' | 'patch' | 'delete';

interface RouteEntry {
  readonly method: RouteMethod;
  readonly path: string;
  readonly name: string | symbol;
}

const ROUTES = new WeakMap<object, RouteEntry[]>();

/**
 * Standard (TC39) method decorator: guards a controller method with a permission check. Uses the
 * options `gatehouse()` attached to the request; without them the request fails closed with 503.
 *
 * @example
 * class Tracks { @Route('get', '/tracks/:id') @RequirePermission('viewer', param('id', 'track')) show(req, res) { ... } }
 */
export function RequirePermission(relation: string, object: ObjectResolver) {
  return function <This, Args extends [Request, Response, ...unknown[]], R>(
    method: (this: This, ...args: Args) => R,
    _context: ClassMethodDecoratorContext<This, (this: This, ...args: Args) => R>,
  ): (this: This, ...args: Args) => R {
    function guarded(this: This, ...args: Args): R | undefined {
      const [req, res] = args;
      const options = optionsOf(req);
      if (options === undefined) {
        const error = new GatehouseError('internal', 'The gatehouse() middleware is not mounted before this controller.');
        res.status(503).type(PROBLEM_JSON).send(JSON.stringify(problemFor({ kind: 'error', status: 503, error }, { relation, object: undefined }, req.originalUrl)));
        return undefined;
      }
      let allowed = false;
      guardRequest(options, relation, object, req, res, () => {
        allowed = true;
      });
      if (!allowed) return undefined;
      return method.apply(this, args);
    }
    // A refused request returns nothing; Express ignores a handler's result, so this is sound.
    return guarded as (this: This, ...args: Args) => R;
  };
}

/** Standard method decorator: mounts the method at `method path` when {@link mountController} is called. */
export function Route(method: RouteMethod, path: string) {
  return function <This extends object, Args extends [Request, Response, ...unknown[]], R>(
    _method: (this: This, ...args: Args) => R,
    context: ClassMethodDecoratorContext<This, (this: This, ...args: Args) => R>,
  ): void {
    context.addInitializer(function (this: This) {
      const list = ROUTES.get(this) ?? [];
      list.push({ method, path, name: context.name });
      ROUTES.set(this, list);
    });
  };
}

/**
 * Mounts every `@Route` method of a controller instance on a router, bound to the instance.
 * Returns the router. Async methods' rejections go to Express's error handler (Express 5).
 */
export function mountController<R extends Router>(router: R, controller: object): R {
  for (const entry of ROUTES.get(controller) ?? []) {
    const handler = (controller as Record<string | symbol, unknown>)[entry.name];
    if (typeof handler !== 'function') continue;
    router[entry.method](entry.path, (req: Request, res: Response, next: NextFunction) => handler.call(controller, req, res, next) as unknown);
  }
  return router;
}
