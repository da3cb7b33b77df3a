/** The API's $default route: 404 for an unknown path, 405 (with Allow) for a known path and wrong method. */
import { httpHandler, type HttpEvent } from '../../lib/http/handler';
import { errorBody, json } from '../../lib/http/response';
import { allowedMethods } from '../../lib/routes';

export const handler = httpHandler(async (event: HttpEvent) => {
  const allowed = allowedMethods(event.rawPath);
  if (allowed.length > 0) {
    return json(405, errorBody('method_not_allowed', `Use ${allowed.join(' or ')} for this path.`), {
      allow: allowed.join(', '),
    });
  }
  return json(404, errorBody('route_not_found', 'No such route.'));
});
