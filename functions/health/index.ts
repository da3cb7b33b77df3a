/** GET /health: the function is up. Touches no data and needs no configuration. */
import { httpHandler } from '../../lib/http/handler';
import { json } from '../../lib/http/response';

export const handler = httpHandler(async () => json(200, { status: 'ok' }));
