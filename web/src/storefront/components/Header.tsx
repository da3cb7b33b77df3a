/** The shop's header: brand (home link), the main navigation and the cart link with its count. */
import { cart, useCart } from '../cart';
import { href } from '../router';

export function Header() {
  useCart();
  const count = cart.count();
  return (
    <header class="site-header">
      <a class="brand" href={href.catalogue}>
        Flux<span>Kart</span>
      </a>
      <nav aria-label="Main">
        <a href={href.catalogue}>Shop</a>
        <a href={href.cart} aria-label={`Cart, ${count} ${count === 1 ? 'item' : 'items'}`}>
          Cart <span class="badge" aria-hidden="true">{count}</span>
        </a>
      </nav>
    </header>
  );
}
