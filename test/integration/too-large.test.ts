import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { AppError } from '../../lib/errors';
import { deadlineIn } from '../../lib/retry';
import { createTestService } from '../support/dynamo';
import { snapshot } from '../support/snapshot';

describe('an identity at the item size limit (400 KB)', () => {
  it('answers 409 identity_too_large, writes nothing, and still answers reads', async () => {
    const t = await createTestService();
    const { service, db, tables } = t;
    const email = 'reseller@shop.example';
    const first = await service.identify({ email, phoneNumber: '5550000' }, deadlineIn(5000));
    const id = first.primaryContactId;
    // Fill the primary's aggregate as close to DynamoDB's item size limit as it goes.
    const member = (i: number) => ({
      id: 100_000 + i,
      createdAt: '2026-01-01T00:00:01.000Z',
      email: `member-${String(i).padStart(6, '0')}@reseller-customers.example`,
    });
    const put = async (count: number) => {
      try {
        await db.send(new PutCommand({
          TableName: tables.contacts,
          Item: {
            bucket: Math.floor(id / 1000), id, email, phoneNumber: '5550000', linkPrecedence: 'primary',
            createdAt: '2026-01-01T00:00:00.000Z', updatedAt: '2026-01-01T00:00:00.000Z',
            members: Array.from({ length: count }, (_, i) => member(i)), ver: 7,
          },
        }));
        return true;
      } catch (error) {
        if ((error as Error).name !== 'ValidationException') throw error;
        return false;
      }
    };
    // Binary search for the largest aggregate DynamoDB accepts: one more member does not fit.
    let fits = 1000;
    let tooMany = 6000;
    while (tooMany - fits > 1) {
      const mid = Math.floor((fits + tooMany) / 2);
      if (await put(mid)) fits = mid;
      else tooMany = mid;
    }
    expect(await put(fits)).toBe(true);
    const size = fits;
    const before = await snapshot(t);

    const error = await service
      .identify({ email: 'one-more-customer-with-a-long-address@reseller-customers.example', phoneNumber: '5550000' }, deadlineIn(5000))
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AppError);
    expect(error).toMatchObject({ status: 409, code: 'identity_too_large' });
    expect(await snapshot(t)).toEqual(before);

    const known = await service.identify({ email, phoneNumber: null }, deadlineIn(5000));
    expect(known.secondaryContactIds).toHaveLength(size);
  });
});
