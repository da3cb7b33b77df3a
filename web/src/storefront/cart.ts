/**
 * The cart: lines {productId, quantity} kept in localStorage (it survives a reload and is shared
 * by the shop's tabs), with a tiny subscribe API and a Preact hook. Also the pending order id of
 * a checkout that got no answer, so a retry of the same cart and contact reuses it and the order
 * is never recorded twice; the contacts are never stored, only a SHA-256 digest. Prices always
 * come from the catalogue, never from storage.
 */
import { useEffect, useState } from 'preact/hooks';
import { MAX_QUANTITY, productById, type CartLine } from '../../../lib/checkout/catalogue';

const CART_KEY = 'fluxkart.cart.v1';
const PENDING_KEY = 'fluxkart.pendingOrder.v2';
// v1 kept the fingerprint, email and phone included, in clear: drop any left by an old page.
try {
  localStorage.removeItem('fluxkart.pendingOrder.v1');
} catch {
  // Private mode: nothing stored.
}

function read(): CartLine[] {
  try {
    const raw: unknown = JSON.parse(localStorage.getItem(CART_KEY) ?? '[]');
    if (!Array.isArray(raw)) return [];
    return raw
      .filter((l): l is CartLine => typeof l?.productId === 'string' && Number.isInteger(l?.quantity) && productById(l.productId) !== undefined)
      .map((l) => ({ productId: l.productId, quantity: Math.min(Math.max(1, l.quantity), MAX_QUANTITY) }));
  } catch {
    return [];
  }
}

let lines: CartLine[] = read();
const listeners = new Set<() => void>();

function write(next: CartLine[]): void {
  lines = next;
  try {
    localStorage.setItem(CART_KEY, JSON.stringify(next));
  } catch {
    // Private mode or a full storage: the cart still works for this page load.
  }
  for (const listener of listeners) listener();
}

window.addEventListener('storage', (event) => {
  if (event.key === CART_KEY) {
    lines = read();
    for (const listener of listeners) listener();
  }
});

export const cart = {
  lines: () => lines,
  count: () => lines.reduce((n, l) => n + l.quantity, 0),
  add(productId: string, quantity = 1): void {
    const existing = lines.find((l) => l.productId === productId);
    write(
      existing
        ? lines.map((l) => (l.productId === productId ? { ...l, quantity: Math.min(MAX_QUANTITY, l.quantity + quantity) } : l))
        : [...lines, { productId, quantity: Math.min(MAX_QUANTITY, quantity) }],
    );
  },
  setQuantity(productId: string, quantity: number): void {
    if (!Number.isInteger(quantity) || quantity < 1) return;
    write(lines.map((l) => (l.productId === productId ? { ...l, quantity: Math.min(MAX_QUANTITY, quantity) } : l)));
  },
  remove(productId: string): void {
    write(lines.filter((l) => l.productId !== productId));
  },
  clear(): void {
    write([]);
  },
  subscribe(listener: () => void): () => void {
    listeners.add(listener);
    return () => listeners.delete(listener);
  },
};

/** Re-renders the component whenever the cart changes. */
export function useCart(): CartLine[] {
  const [, setVersion] = useState(0);
  useEffect(() => cart.subscribe(() => setVersion((v) => v + 1)), []);
  return cart.lines();
}

/** The SHA-256 of `text`, in hex. */
async function sha256Hex(text: string): Promise<string> {
  const hash = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text));
  return Array.from(new Uint8Array(hash), (b) => b.toString(16).padStart(2, '0')).join('');
}

function readPending(): { id: string; digest: string } | null {
  try {
    const pending = JSON.parse(localStorage.getItem(PENDING_KEY) ?? 'null') as { id: string; digest: string } | null;
    return typeof pending?.id === 'string' && typeof pending.digest === 'string' ? pending : null;
  } catch {
    return null;
  }
}

/**
 * The order id for this attempt: the pending one when the cart and contact are unchanged since an
 * attempt that got no answer, else a fresh UUID. `fingerprint` (cart and contacts) is stored only
 * as the SHA-256 of the id and itself: the id salts it, so equal contacts never look alike.
 */
export async function orderIdFor(fingerprint: string): Promise<string> {
  const pending = readPending();
  if (pending && pending.digest === (await sha256Hex(pending.id + fingerprint))) return pending.id;
  const id = crypto.randomUUID();
  const digest = await sha256Hex(id + fingerprint);
  try {
    localStorage.setItem(PENDING_KEY, JSON.stringify({ id, digest }));
  } catch {
    // fall through
  }
  return id;
}

/** The pending order got an answer (success or a refusal): the next attempt is a new order. */
export function forgetPendingOrder(): void {
  try {
    localStorage.removeItem(PENDING_KEY);
  } catch {
    // fall through
  }
}
