/**
 * `npm start` checks the storage configuration before it starts anything (lib/local/environment.ts): the
 * functions read it only on first use, so without this a bad value would surface as the first
 * request's 500.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ConfigError } from '../../lib/config';
import { startDynamoDbLocal } from '../../lib/local/dynamodb-local';
import { prepareLocalStorage } from '../../lib/local/environment';
import { dynamoEndpoint } from '../support/dynamo';

// Watched, not replaced: a refused configuration must not even start Java.
vi.mock('../../lib/local/dynamodb-local', { spy: true });

afterEach(() => {
  delete process.env.EVENT_CONTACT_VALUES;
  delete process.env.ID_BLOCK_SIZE;
});

describe('local storage preparation', () => {
  it.each([
    ['EVENT_CONTACT_VALUES', 'bogus', /EVENT_CONTACT_VALUES must be "hashed" or "clear"/],
    ['ID_BLOCK_SIZE', '0', /ID_BLOCK_SIZE must be an integer from 1 to 10000/],
  ])('refuses %s=%s before anything starts', async (name, value, message) => {
    process.env[name] = value;
    // No endpoint: it would start an embedded DynamoDB Local, were the configuration checked later.
    const attempt = prepareLocalStorage({ dataDir: null, tablePrefix: 'cfg_' });
    await expect(attempt).rejects.toThrow(ConfigError);
    await expect(attempt).rejects.toThrow(message);
    expect(startDynamoDbLocal).not.toHaveBeenCalled();
  });

  it('accepts a valid configuration', async () => {
    process.env.EVENT_CONTACT_VALUES = 'clear';
    const storage = await prepareLocalStorage({ endpoint: dynamoEndpoint(), tablePrefix: 'cfg_' });
    expect(storage.tables.contacts).toBe('cfg_Contacts');
    await storage.stop();
  });
});
