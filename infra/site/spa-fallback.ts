/**
 * The CloudFront Function (viewer request, cloudfront-js-2.0) of the site's default behaviour:
 * the console's client-side routes (/admin, /admin/, /admin/<route> without a file extension)
 * get /admin/index.html, and / gets /index.html. It runs only on the S3 behaviour, so the API's
 * paths (their own behaviours) and every error status they answer are never touched; no
 * distribution-wide errorResponses are used. The same rule as lib/local/static.ts `pageFor`.
 */
export const SPA_FALLBACK_CODE = `function handler(event) {
  var request = event.request;
  var uri = request.uri;
  if (uri === '/') {
    request.uri = '/index.html';
  } else if (uri === '/admin' || uri.indexOf('/admin/') === 0) {
    var last = uri.substring(uri.lastIndexOf('/') + 1);
    if (last.indexOf('.') === -1) request.uri = '/admin/index.html';
  }
  return request;
}`;
