/**
 * A record keyed by data (a CSV column, a user's marker name): no prototype, so a key such as
 * `__proto__` or `constructor` is an entry like any other, never the object's prototype.
 */
export function dict<T>(): Record<string, T> {
  return Object.create(null) as Record<string, T>;
}
