/**
 * The seed of the property-based (fast-check) tests. `npm test` runs them with a FIXED seed, so a
 * run is repeatable and a regression is caught on every run, not most runs. Environment:
 *   FC_SEED=<integer>  replay that seed (e.g. the one a failure printed)
 *   FC_SEED=random     draw a fresh seed (printed when the property fails)
 * A failure's message starts with the seed and the command that replays it.
 */
import fc from 'fast-check';

export const DEFAULT_FC_SEED = 20261201;

export function propertySeed(value: string | undefined = process.env.FC_SEED): number {
  if (value === undefined || value === '') return DEFAULT_FC_SEED;
  if (value === 'random') return (Math.random() * 2 ** 31) | 0;
  const seed = Number(value);
  if (!Number.isSafeInteger(seed)) throw new Error(`FC_SEED must be an integer or "random", not ${JSON.stringify(value)}`);
  return seed | 0;
}

/** fc.assert with the run's seed; on failure the error names the seed and how to replay it. */
export async function assertProperty<T>(
  property: fc.IAsyncProperty<T> | fc.IProperty<T>,
  options: Omit<fc.Parameters<T>, 'seed'> = {},
  seed: number = propertySeed(),
): Promise<void> {
  try {
    await fc.assert(property, { ...options, seed });
  } catch (error) {
    const replay = `fast-check seed ${seed}: replay with FC_SEED=${seed} npm test -- <this test file>`;
    process.stderr.write(`${replay}\n`);
    if (error instanceof Error) error.message = `${replay}\n${error.message}`;
    throw error;
  }
}
