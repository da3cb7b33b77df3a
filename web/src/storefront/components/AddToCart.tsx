/** "Add to cart" for one product (disabled when out of stock), announcing what it did. */
import { useState } from 'preact/hooks';
import type { Product } from '../../../../lib/checkout/catalogue';
import { cart } from '../cart';

export function AddToCart({ product, quantity = 1 }: { product: Product; quantity?: number }) {
  const [added, setAdded] = useState(false);
  if (product.stock === 0) {
    return <p class="stock out">Out of stock</p>;
  }
  return (
    <div class="add">
      <button
        type="button"
        class="primary"
        onClick={() => {
          cart.add(product.id, quantity);
          setAdded(true);
        }}
      >
        Add to cart<span class="visually-hidden">({product.name})</span>
      </button>
      <span class="added" role="status">
        {added ? 'Added to your cart' : ''}
      </span>
    </div>
  );
}
