/**
 * Hash routes of the storefront (#/, #/product/<id>, #/cart, #/checkout): the page is one
 * document at `/`, so no server or CloudFront rewrite is needed and no API path is shadowed.
 */
import { useEffect, useState } from 'preact/hooks';

export type Route =
  | { page: 'catalogue' }
  | { page: 'product'; id: string }
  | { page: 'cart' }
  | { page: 'checkout' }
  | { page: 'notFound' };

export function parseRoute(hash: string): Route {
  const path = hash.replace(/^#/, '') || '/';
  if (path === '/' || path === '') return { page: 'catalogue' };
  if (path === '/cart') return { page: 'cart' };
  if (path === '/checkout') return { page: 'checkout' };
  const product = /^\/product\/([\w-]+)$/.exec(path);
  if (product) return { page: 'product', id: product[1]! };
  return { page: 'notFound' };
}

export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseRoute(location.hash));
  useEffect(() => {
    const onChange = () => setRoute(parseRoute(location.hash));
    window.addEventListener('hashchange', onChange);
    return () => window.removeEventListener('hashchange', onChange);
  }, []);
  return route;
}

export const href = {
  catalogue: '#/',
  product: (id: string) => `#/product/${id}`,
  cart: '#/cart',
  checkout: '#/checkout',
};
