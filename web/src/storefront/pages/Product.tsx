/** A product page: picture, description, price, stock and "Add to cart" with a quantity. */
import { useState } from 'preact/hooks';
import { CATEGORIES, formatPrice, MAX_QUANTITY, productById } from '../../../../lib/checkout/catalogue';
import { AddToCart } from '../components/AddToCart';
import { ProductImage } from '../components/ProductImage';
import { href } from '../router';

export function ProductPage({ id }: { id: string }) {
  const product = productById(id);
  const [quantity, setQuantity] = useState(1);
  if (!product) {
    return (
      <>
        <h1 tabIndex={-1}>Product not found</h1>
        <p>
          <a href={href.catalogue}>Back to the shop</a>
        </p>
      </>
    );
  }
  const category = CATEGORIES.find((c) => c.id === product.category)!;
  const max = Math.min(MAX_QUANTITY, product.stock);
  return (
    <article class="product">
      <ProductImage shape={product.image.shape} hue={product.image.hue} size={240} label={`Illustration of the ${product.name}`} />
      <div>
        <p class="crumbs">
          <a href={href.catalogue}>Shop</a> / {category.label}
        </p>
        <h1 tabIndex={-1}>{product.name}</h1>
        <p>{product.description}</p>
        <p class="price big">{formatPrice(product.price)}</p>
        <p class="stock">{product.stock === 0 ? 'Out of stock' : product.stock < 10 ? `Only ${product.stock} left` : 'In stock'}</p>
        {product.stock > 0 && (
          <label class="qty">
            <span>Quantity</span>
            <input
              type="number"
              min={1}
              max={max}
              value={quantity}
              onInput={(e) => {
                const n = Number(e.currentTarget.value);
                if (Number.isInteger(n) && n >= 1) setQuantity(Math.min(n, max));
              }}
            />
          </label>
        )}
        <AddToCart product={product} quantity={quantity} />
      </div>
    </article>
  );
}
