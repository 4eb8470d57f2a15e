/**
 * Finds the type id of a `type:...` string, remembering the last two types seen: requests
 * alternate between a user type and an object type, so both usually hit without slicing the
 * string or hashing. @internal
 */
export class TypeCache {
  private lastType = '';
  private lastTypeId = -1;
  private prevType = '';
  private prevTypeId = -1;

  constructor(private readonly typeIds: ReadonlyMap<string, number>) {}

  /** The id of the type that ends at `colon` in `s`, or -1 when the model has no such type. */
  typeOf(s: string, colon: number): number {
    const last = this.lastType;
    if (colon === last.length && s.startsWith(last)) return this.lastTypeId;
    const prev = this.prevType;
    if (colon === prev.length && s.startsWith(prev)) return this.prevTypeId;
    const id = this.typeIds.get(s.slice(0, colon));
    if (id === undefined) return -1;
    this.prevType = this.lastType;
    this.prevTypeId = this.lastTypeId;
    this.lastType = s.slice(0, colon);
    this.lastTypeId = id;
    return id;
  }
}
