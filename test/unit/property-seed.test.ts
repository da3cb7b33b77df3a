/** The fast-check seed of `npm test` (test/support/property.ts): fixed by default, FC_SEED to replay or draw one. */
import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';
import { assertProperty, DEFAULT_FC_SEED, propertySeed } from '../support/property';

describe('the property tests seed', () => {
  it('is fixed by default, replayable with FC_SEED=<n>, drawn with FC_SEED=random', () => {
    expect(propertySeed('')).toBe(DEFAULT_FC_SEED);
    expect(propertySeed('12345')).toBe(12345);
    expect(Number.isInteger(propertySeed('random'))).toBe(true);
    expect(() => propertySeed('abc')).toThrow(/FC_SEED/);
  });

  it('makes a run repeatable: the same seed draws the same values', async () => {
    const draws: number[][] = [[], []];
    for (const run of [0, 1]) {
      await assertProperty(fc.property(fc.integer(), (n) => void draws[run]!.push(n)), { numRuns: 20 }, 4242);
    }
    expect(draws[0]).toEqual(draws[1]);
  });

  it('names the seed and how to replay it when a property fails', async () => {
    const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      await expect(assertProperty(fc.property(fc.nat(), (n) => n < 0), { numRuns: 5 }, 777)).rejects.toThrow(
        /fast-check seed 777: replay with FC_SEED=777/,
      );
      expect(String(stderr.mock.calls[0]?.[0])).toContain('FC_SEED=777');
    } finally {
      stderr.mockRestore();
    }
  });
});
