/** The cart: each line with its quantity and a remove button, the total, and the way to checkout. */
import { formatPrice, MAX_QUANTITY, productById } from '../../../../lib/checkout/catalogue';
import { cart, useCart } from '../cart';
import { ProductImage } from '../components/ProductImage';
import { href } from '../router';
import { CartSummary } from '../components/CartSummary';

export function CartPage() {
  const lines = useCart();
  return (
    <>
      <h1 tabIndex={-1}>Your cart</h1>
      {lines.length === 0 ? (
        <p>
          Your cart is empty. <a href={href.catalogue}>Browse the shop</a>
        </p>
      ) : (
        <>
          <ul class="cart-lines" aria-label="Items in your cart">
            {lines.map((line) => {
              const p = productById(line.productId)!;
              return (
                <li key={p.id} class="cart-line">
                  <ProductImage shape={p.image.shape} hue={p.image.hue} size={64} />
                  <div class="cart-name">
                    <a href={href.product(p.id)}>{p.name}</a>
                    <span class="muted">{formatPrice(p.price)} each</span>
                  </div>
                  <label class="qty">
                    <span class="visually-hidden">Quantity of {p.name}</span>
                    <input
                      type="number"
                      min={1}
                      max={MAX_QUANTITY}
                      value={line.quantity}
                      onChange={(e) => cart.setQuantity(p.id, Number(e.currentTarget.value))}
                    />
                  </label>
                  <span class="line-total">{formatPrice(p.price * line.quantity)}</span>
                  <button type="button" class="link" aria-label={`Remove ${p.name}`} onClick={() => cart.remove(p.id)}>
                    Remove
                  </button>
                </li>
              );
            })}
          </ul>
          <CartSummary lines={lines} />
          <p class="actions">
            <a class="button primary" href={href.checkout}>
              Go to checkout
            </a>
          </p>
        </>
      )}
    </>
  );
}
