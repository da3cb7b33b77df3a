/**
 * `npm run openapi`: regenerates openapi.json (the API contract, OpenAPI 3.1) from the route table
 * and the zod schemas (lib/schemas/document.ts). test/contract/openapi.test.ts fails while the
 * committed file differs from what this writes.
 */
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { renderOpenApiDocument } from '../lib/schemas/document';

const file = resolve(import.meta.dirname, '../openapi.json');
writeFileSync(file, renderOpenApiDocument());
process.stdout.write(`wrote ${file}\n`);
