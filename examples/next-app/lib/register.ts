import type { AppSchema } from './model';

// Registers the model's schema with the Gatehouse integrations, so the compiler checks every
// relation and object the app names: `<Can relation="editor" object={`artist:${id}`}>`,
// `gatehouse.assert('editor', ...)`, `withPermission('viewer', ...)`. Types only.

declare module '@gatehouse/next' {
  interface Register {
    schema: AppSchema;
  }
}

declare module '@gatehouse/react' {
  interface Register {
    schema: AppSchema;
  }
}
