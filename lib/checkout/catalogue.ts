/**
 * FluxKart's catalogue, shipped as data: shared by the storefront (web/, which imports this file)
 * and the checkout (lib/checkout/service.ts, which prices a cart from it and never from what the
 * browser says). Pure data and arithmetic: no imports, nothing of the browser, no storage.
 * Prices are integer cents (USD), so totals never meet floating point.
 */

export type Category = 'phones' | 'laptops' | 'audio' | 'wearables' | 'tablets' | 'accessories';

/** What the storefront draws as the product's picture (an SVG generated in the page). */
export type ImageShape = 'phone' | 'laptop' | 'headphones' | 'earbuds' | 'speaker' | 'watch' | 'tablet' | 'charger' | 'keyboard' | 'camera';

export interface Product {
  id: string;
  name: string;
  category: Category;
  /** Unit price in cents. */
  price: number;
  /** Units that can be ordered (0: out of stock). */
  stock: number;
  description: string;
  image: { shape: ImageShape; hue: number };
}

export const CATEGORIES: readonly { id: Category; label: string }[] = [
  { id: 'phones', label: 'Phones' },
  { id: 'laptops', label: 'Laptops' },
  { id: 'tablets', label: 'Tablets' },
  { id: 'audio', label: 'Audio' },
  { id: 'wearables', label: 'Wearables' },
  { id: 'accessories', label: 'Accessories' },
];

export const CURRENCY = 'USD';
/** Largest quantity of one product in one order. */
export const MAX_QUANTITY = 10;
/** Most distinct products in one order. */
export const MAX_LINES = 30;

export const PRODUCTS: readonly Product[] = [
  { id: 'flux-phone-12', name: 'Flux Phone 12', category: 'phones', price: 69900, stock: 25, image: { shape: 'phone', hue: 210 },
    description: '6.1-inch OLED display, dual camera, 128 GB storage and a battery that lasts two days.' },
  { id: 'flux-phone-12-pro', name: 'Flux Phone 12 Pro', category: 'phones', price: 99900, stock: 12, image: { shape: 'phone', hue: 265 },
    description: '6.7-inch 120 Hz display, triple camera with 5× zoom, 256 GB storage.' },
  { id: 'volt-mini', name: 'Volt Mini', category: 'phones', price: 39900, stock: 0, image: { shape: 'phone', hue: 140 },
    description: 'A compact 5.4-inch phone that fits any pocket. Back in stock soon.' },
  { id: 'delorean-book-14', name: 'DeLorean Book 14', category: 'laptops', price: 129900, stock: 8, image: { shape: 'laptop', hue: 200 },
    description: '14-inch laptop, 16 GB memory, 512 GB SSD, 18 hours of battery, 1.2 kg.' },
  { id: 'delorean-book-16-pro', name: 'DeLorean Book 16 Pro', category: 'laptops', price: 219900, stock: 4, image: { shape: 'laptop', hue: 20 },
    description: '16-inch mini-LED display, 32 GB memory, 1 TB SSD, for editing 8K video.' },
  { id: 'clocktower-tab', name: 'Clocktower Tab', category: 'tablets', price: 44900, stock: 15, image: { shape: 'tablet', hue: 330 },
    description: '11-inch tablet with stylus support and a detachable keyboard cover.' },
  { id: 'hoverboard-headphones', name: 'Hoverboard Headphones', category: 'audio', price: 29900, stock: 30, image: { shape: 'headphones', hue: 0 },
    description: 'Over-ear, active noise cancelling, 40 hours per charge.' },
  { id: 'gigawatt-buds', name: 'Gigawatt Buds', category: 'audio', price: 14900, stock: 50, image: { shape: 'earbuds', hue: 45 },
    description: 'True wireless earbuds with spatial audio and a pocket-size charging case.' },
  { id: 'hill-valley-speaker', name: 'Hill Valley Speaker', category: 'audio', price: 9900, stock: 20, image: { shape: 'speaker', hue: 170 },
    description: 'Waterproof Bluetooth speaker, 12 hours of music at a campfire.' },
  { id: 'chrono-watch', name: 'Chrono Watch', category: 'wearables', price: 34900, stock: 18, image: { shape: 'watch', hue: 290 },
    description: 'Heart rate, GPS and sleep tracking; one week of battery.' },
  { id: 'capacitor-charger', name: 'Flux Capacitor Charger 65 W', category: 'accessories', price: 4900, stock: 100, image: { shape: 'charger', hue: 50 },
    description: 'USB-C GaN charger, three ports, charges a laptop and a phone at once.' },
  { id: 'marty-keys', name: 'Marty Mechanical Keyboard', category: 'accessories', price: 12900, stock: 10, image: { shape: 'keyboard', hue: 230 },
    description: 'Low-profile mechanical keys, backlit, wireless to three devices.' },
  { id: 'doc-cam-4k', name: 'Doc Cam 4K', category: 'accessories', price: 8900, stock: 7, image: { shape: 'camera', hue: 100 },
    description: '4K webcam with autofocus and a privacy shutter.' },
];

const BY_ID = new Map(PRODUCTS.map((p) => [p.id, p]));

export function productById(id: string): Product | undefined {
  return BY_ID.get(id);
}

export interface CartLine {
  productId: string;
  quantity: number;
}

/** Sum of unit price × quantity over the lines whose product exists, in cents. */
export function cartTotal(lines: readonly CartLine[]): number {
  return lines.reduce((sum, line) => sum + (productById(line.productId)?.price ?? 0) * line.quantity, 0);
}

/** "$1,299.00" */
export function formatPrice(cents: number): string {
  const dollars = Math.floor(cents / 100).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return `$${dollars}.${String(cents % 100).padStart(2, '0')}`;
}
