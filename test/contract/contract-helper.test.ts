/**
 * The contract check itself (test/support/contract.ts), on responses made up to break one promise
 * of openapi.json each: it must pass what the service answers and refuse everything else.
 */
import { describe, expect, it } from 'vitest';
import { contractProblems, expectToMatchContract, type ContractResponse } from '../support/contract';
import { WORKED_EXAMPLE_2_RESPONSE } from '../support/worked-examples';

const JSON_TYPE = { 'content-type': 'application/json; charset=utf-8', 'x-request-id': 'r-1' };
const error = (code: string) => JSON.stringify({ error: { code, message: 'Some text.', requestId: 'r-1' } });
const answer = (over: Partial<ContractResponse>): ContractResponse => ({
  method: 'POST',
  url: 'http://127.0.0.1:3000/identify',
  status: 200,
  headers: JSON_TYPE,
  body: JSON.stringify(WORKED_EXAMPLE_2_RESPONSE),
  ...over,
});

describe('the contract check', () => {
  it.each<[string, Partial<ContractResponse>]>([
    ['a worked example', {}],
    ['a 400 with one of the route’s codes', { status: 400, body: error('invalid_email') }],
    ['an error with a request id', { status: 400, body: JSON.stringify({ error: { code: 'invalid_json', message: 'x', requestId: 'r-1' } }) }],
    ['a 503 with Retry-After', { status: 503, headers: { ...JSON_TYPE, 'retry-after': '1' }, body: error('contention') }],
    ['API Gateway’s own 429', { status: 429, body: '{"message":"Too Many Requests"}' }],
    ['a 404 of an unknown path', { method: 'GET', url: '/nowhere?x=1', status: 404, body: error('route_not_found') }],
    ['a 405 with Allow', { method: 'GET', url: '/identify', status: 405, headers: new Headers({ ...JSON_TYPE, allow: 'POST' }), body: error('method_not_allowed') }],
    ['a path template', { method: 'GET', url: '/contacts/42', status: 404, body: error('contact_not_found') }],
    ['a page', { method: 'GET', url: '/contacts?limit=1', body: JSON.stringify({ contacts: [], nextCursor: null }) }],
  ])('passes %s', (_name, over) => {
    expect(contractProblems(answer(over))).toEqual([]);
  });

  it.each<[string, Partial<ContractResponse>, RegExp]>([
    ['an undocumented status', { status: 418 }, /status 418 is not documented/],
    ['a field missing', { body: JSON.stringify({ contact: { ...WORKED_EXAMPLE_2_RESPONSE.contact, emails: undefined } }) }, /must have required property 'emails'/],
    ['an undocumented field', { body: JSON.stringify({ contact: { ...WORKED_EXAMPLE_2_RESPONSE.contact, extra: 1 } }) }, /must NOT have additional properties/],
    ['a wrong type', { body: JSON.stringify({ contact: { ...WORKED_EXAMPLE_2_RESPONSE.contact, primaryContactId: '11' } }) }, /must be integer/],
    ['a code the route never answers', { status: 400, body: error('invalid_limit') }, /must be equal to one of the allowed values/],
    ['a code outside the catalogue', { status: 400, body: error('oops') }, /allowed values/],
    ['an answer without x-request-id', { headers: { 'content-type': 'application/json' } }, /required header x-request-id is missing/],
    ['an error body without its requestId', { status: 400, body: '{"error":{"code":"invalid_email","message":"x"}}' }, /required property 'requestId'/],
    ['an error body without a message', { status: 400, body: '{"error":{"code":"invalid_email"}}' }, /required property 'message'/],
    ['a 503 without Retry-After', { status: 503, body: error('storage_unavailable') }, /required header retry-after is missing/],
    ['a 405 without Allow', { method: 'GET', url: '/identify', status: 405, body: error('method_not_allowed') }, /required header allow/],
    ['another media type', { headers: { 'content-type': 'text/html' }, body: '<p>hi</p>' }, /content-type "text\/html" is not one of application\/json/],
    ['a body that is not JSON', { body: 'oops' }, /not JSON/],
    ['a 200 for an unknown path', { method: 'GET', url: '/nowhere', status: 200 }, /x-default-route .* status 200 is not documented/],
    ['a bad timestamp', { method: 'GET', url: '/contacts/1', body: JSON.stringify({ contact: { id: 1, email: null, phoneNumber: null, linkedId: null, linkPrecedence: 'primary', createdAt: 'yesterday', updatedAt: '2023-04-11T00:00:00.000Z', deletedAt: null } }) }, /createdAt/],
  ])('refuses %s', (_name, over, problem) => {
    const problems = contractProblems(answer(over));
    expect(problems.join('\n')).toMatch(problem);
    expect(() => expectToMatchContract(answer(over))).toThrow(/outside the API contract/);
  });
});
