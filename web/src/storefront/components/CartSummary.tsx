/** Item count and total of a cart, priced from the catalogue. */
import { cartTotal, formatPrice, type CartLine } from '../../../../lib/checkout/catalogue';

export function CartSummary({ lines }: { lines: readonly CartLine[] }) {
  const items = lines.reduce((n, l) => n + l.quantity, 0);
  return (
    <dl class="summary" aria-live="polite">
      <dt>Items</dt>
      <dd>{items}</dd>
      <dt>Total</dt>
      <dd class="total">{formatPrice(cartTotal(lines))}</dd>
    </dl>
  );
}
