import type { GatehouseError } from '../errors/index';
import type { Revision } from './revision';
import type { SnapshotSink } from './source';

/** Hands an error to a sink. A sink's `error()` must not throw; if one does, the source carries on regardless. */
export function reportTo(sink: SnapshotSink, error: GatehouseError): void {
  try {
    sink.error(error);
  } catch {
    // Deliberately ignored: a broken error handler must not stop synchronisation.
  }
}

/** Tells a sink that `revision` is still current, if it listens. Like `error()`, this must not throw; if it does, the source carries on. */
export function confirmTo(sink: SnapshotSink, revision: Revision): void {
  if (sink.heartbeat === undefined) return;
  try {
    sink.heartbeat(revision);
  } catch {
    // Deliberately ignored: a broken heartbeat handler must not stop synchronisation.
  }
}
