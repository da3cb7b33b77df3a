/** The catalogue: search, a category filter, and a card per product with "Add to cart". */
import { useMemo, useState } from 'preact/hooks';
import { CATEGORIES, formatPrice, PRODUCTS, type Category } from '../../../../lib/checkout/catalogue';
import { ProductImage } from '../components/ProductImage';
import { AddToCart } from '../components/AddToCart';
import { href } from '../router';

export function Catalogue() {
  const [query, setQuery] = useState('');
  const [category, setCategory] = useState<Category | 'all'>('all');
  const shown = useMemo(() => {
    const words = query.trim().toLowerCase().split(/\s+/).filter(Boolean);
    return PRODUCTS.filter(
      (p) =>
        (category === 'all' || p.category === category) &&
        words.every((w) => `${p.name} ${p.category} ${p.description}`.toLowerCase().includes(w)),
    );
  }, [query, category]);

  return (
    <>
      <h1 tabIndex={-1}>Electronics</h1>
      <div class="filters">
        <label class="search">
          <span>Search products</span>
          <input type="search" value={query} onInput={(e) => setQuery(e.currentTarget.value)} placeholder="e.g. noise cancelling" />
        </label>
        <div class="categories" role="group" aria-label="Category">
          {[{ id: 'all' as const, label: 'All' }, ...CATEGORIES].map((c) => (
            <button type="button" key={c.id} class="chip" aria-pressed={category === c.id} onClick={() => setCategory(c.id)}>
              {c.label}
            </button>
          ))}
        </div>
      </div>
      <p class="result-count" role="status">
        {shown.length === 1 ? '1 product' : `${shown.length} products`}
      </p>
      <ul class="grid" aria-label="Products">
        {shown.map((p) => (
          <li key={p.id} class="card">
            <a href={href.product(p.id)} class="card-link">
              <ProductImage shape={p.image.shape} hue={p.image.hue} />
              <h2>{p.name}</h2>
            </a>
            <p class="price">{formatPrice(p.price)}</p>
            <AddToCart product={p} />
          </li>
        ))}
      </ul>
      {shown.length === 0 && <p>No product matches. Try another word or category.</p>}
    </>
  );
}
