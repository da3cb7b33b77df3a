/**
 * For loops that assert something of every element: first assert that there are elements, so an
 * empty list (a renamed resource type, a filter that matches nothing) fails instead of passing
 * vacuously.
 */
import { expect } from 'vitest';

export function nonEmpty<T>(items: Iterable<T>, what: string): T[] {
  const list = [...items];
  expect(list.length, `${what}: the loop must have something to check`).toBeGreaterThan(0);
  return list;
}
