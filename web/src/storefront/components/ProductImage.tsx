/**
 * A product's picture, drawn as SVG from its catalogue entry (shape and hue): nothing fetched,
 * nothing to load. Decorative next to the product's name unless `label` is given.
 */
import type { ImageShape } from '../../../../lib/checkout/catalogue';

const SHAPES: Record<ImageShape, (fg: string, bg: string) => preact.JSX.Element> = {
  phone: (fg, bg) => (<><rect x="38" y="14" width="44" height="92" rx="8" fill={fg} /><rect x="42" y="22" width="36" height="72" rx="3" fill={bg} /><circle cx="60" cy="99" r="3" fill={bg} /></>),
  laptop: (fg, bg) => (<><rect x="24" y="30" width="72" height="46" rx="4" fill={fg} /><rect x="29" y="35" width="62" height="36" fill={bg} /><path d="M14 80h92l-6 10H20z" fill={fg} /></>),
  tablet: (fg, bg) => (<><rect x="26" y="18" width="68" height="86" rx="8" fill={fg} /><rect x="31" y="25" width="58" height="70" rx="2" fill={bg} /></>),
  headphones: (fg) => (<><path d="M28 70V58a32 32 0 0 1 64 0v12" fill="none" stroke={fg} stroke-width="7" /><rect x="20" y="64" width="18" height="30" rx="6" fill={fg} /><rect x="82" y="64" width="18" height="30" rx="6" fill={fg} /></>),
  earbuds: (fg, bg) => (<><rect x="30" y="62" width="60" height="34" rx="14" fill={fg} /><circle cx="46" cy="44" r="11" fill={fg} /><circle cx="74" cy="44" r="11" fill={fg} /><rect x="36" y="76" width="48" height="3" fill={bg} /></>),
  speaker: (fg, bg) => (<><rect x="34" y="16" width="52" height="88" rx="12" fill={fg} /><circle cx="60" cy="72" r="17" fill={bg} /><circle cx="60" cy="36" r="8" fill={bg} /></>),
  watch: (fg, bg) => (<><rect x="48" y="10" width="24" height="100" rx="6" fill={fg} opacity=".55" /><rect x="38" y="36" width="44" height="48" rx="12" fill={fg} /><rect x="44" y="42" width="32" height="36" rx="7" fill={bg} /></>),
  charger: (fg, bg) => (<><rect x="34" y="34" width="52" height="60" rx="10" fill={fg} /><rect x="48" y="20" width="6" height="16" fill={fg} /><rect x="66" y="20" width="6" height="16" fill={fg} /><path d="M63 48l-12 18h9l-3 16 12-20h-9z" fill={bg} /></>),
  keyboard: (fg, bg) => (<><rect x="12" y="40" width="96" height="44" rx="6" fill={fg} />{[0, 1, 2].map((row) => [0, 1, 2, 3, 4, 5, 6].map((col) => <rect key={`${row}${col}`} x={19 + col * 12.5} y={47 + row * 11} width="9" height="8" rx="1.5" fill={bg} />))}</>),
  camera: (fg, bg) => (<><rect x="28" y="34" width="64" height="40" rx="20" fill={fg} /><circle cx="60" cy="54" r="13" fill={bg} /><circle cx="60" cy="54" r="6" fill={fg} /><path d="M52 74h16l6 22H46z" fill={fg} /></>),
};

export function ProductImage({ shape, hue, label, size = 120 }: { shape: ImageShape; hue: number; label?: string; size?: number }) {
  const fg = `hsl(${hue} 55% 38%)`;
  const bg = `hsl(${hue} 70% 94%)`;
  return (
    <svg
      class="product-image"
      viewBox="0 0 120 120"
      width={size}
      height={size}
      {...(label ? { role: 'img', 'aria-label': label } : { 'aria-hidden': 'true', focusable: 'false' })}
    >
      <rect width="120" height="120" rx="14" fill={bg} />
      {SHAPES[shape](fg, bg)}
    </svg>
  );
}
