import { describe, expect, it } from 'vitest';
import { deadlineIn } from '../../lib/retry';
import { createTestService } from '../support/dynamo';

describe('identify against DynamoDB Local', () => {
  it('answers worked example 1', async () => {
    const { service } = await createTestService();
    const first = await service.identify({ email: 'lorraine@hillvalley.edu', phoneNumber: '123456' }, deadlineIn(5000));
    const second = await service.identify({ email: 'mcfly@hillvalley.edu', phoneNumber: '123456' }, deadlineIn(5000));
    expect(second).toEqual({
      primaryContactId: first.primaryContactId,
      emails: ['lorraine@hillvalley.edu', 'mcfly@hillvalley.edu'],
      phoneNumbers: ['123456'],
      secondaryContactIds: [first.primaryContactId + 1],
    });
  });
});
