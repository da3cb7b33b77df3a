/**
 * The picture of an identity: every contact a node, every shared email or phone number an edge
 * between the contacts that carry it, the primary marked. A deterministic layout of our own (no
 * library): the primary in the middle, the secondaries on rings around it in age order, so the
 * same identity always looks the same. Plain SVG, drawn under the console's CSP (no inline styles).
 * The table beside it carries the same information for screen readers; the picture has a text
 * alternative summarising it.
 */
import type { Contact } from '../api/client';

interface Edge {
  a: number;
  b: number;
  /** `link`: no shared value joins this part to the primary's (a merge by hand linked them). */
  kind: 'email' | 'phone' | 'link';
  value: string;
}

const SIZE = 360;
const R_NODE = 18;

/** Edges: for each shared value, a chain through the contacts that carry it (in age order), so N contacts sharing one value make N-1 edges, not N². */
export function edgesOf(contacts: Contact[]): Edge[] {
  const edges: Edge[] = [];
  for (const kind of ['email', 'phone'] as const) {
    const byValue = new Map<string, number[]>();
    for (const c of contacts) {
      const value = kind === 'email' ? c.email : c.phoneNumber;
      if (value) byValue.set(value, [...(byValue.get(value) ?? []), c.id]);
    }
    for (const [value, ids] of byValue) for (let i = 1; i < ids.length; i++) edges.push({ a: ids[i - 1]!, b: ids[i]!, kind, value });
  }
  // Parts that no shared value connects to the primary's (merged by hand): one `link` edge from
  // each part's oldest contact to the primary, so the picture stays one identity.
  const parent = new Map(contacts.map((c) => [c.id, c.id]));
  const root = (id: number): number => (parent.get(id) === id ? id : root(parent.get(id)!));
  for (const e of edges) parent.set(root(e.a), root(e.b));
  const primary = contacts[0];
  const seen = new Set<number>();
  for (const c of contacts.slice(1)) {
    const r = root(c.id);
    if (primary && r !== root(primary.id) && !seen.has(r)) {
      seen.add(r);
      edges.push({ a: primary.id, b: c.id, kind: 'link', value: '' });
    }
  }
  return edges;
}

/** Positions: primary at the centre, the others on rings of up to 8, 16, 24… nodes. */
export function layout(contacts: Contact[]): Map<number, { x: number; y: number }> {
  const pos = new Map<number, { x: number; y: number }>();
  const centre = SIZE / 2;
  const [primary, ...rest] = contacts;
  if (!primary) return pos;
  if (rest.length === 0) {
    pos.set(primary.id, { x: centre, y: centre });
    return pos;
  }
  pos.set(primary.id, { x: centre, y: centre });
  let rings = 0;
  for (let held = 0; held < rest.length; ) held += 8 * ++rings;
  const outer = centre - R_NODE - 8;
  let index = 0;
  for (let ring = 1; index < rest.length; ring++) {
    const count = Math.min(8 * ring, rest.length - index);
    const radius = (ring * outer) / rings;
    for (let k = 0; k < count; k++, index++) {
      const angle = -Math.PI / 2 + (2 * Math.PI * k) / count + (ring % 2 ? 0 : Math.PI / count);
      pos.set(rest[index]!.id, { x: centre + radius * Math.cos(angle), y: centre + radius * Math.sin(angle) });
    }
  }
  return pos;
}

export function IdentityGraph({ contacts, primaryId }: { contacts: Contact[]; primaryId: number }) {
  const pos = layout(contacts);
  const edges = edgesOf(contacts);
  const count = (kind: Edge['kind']) => edges.filter((e) => e.kind === kind).length;
  const [emails, phones, links] = [count('email'), count('phone'), count('link')];
  const label = `Identity graph: ${contacts.length} contact${contacts.length === 1 ? '' : 's'}, primary ${primaryId}, linked by ${emails} shared email${emails === 1 ? '' : 's'} and ${phones} shared phone number${phones === 1 ? '' : 's'}${links ? `, ${links} link${links === 1 ? '' : 's'} made by a merge` : ''}.`;
  const small = contacts.length > 30;
  return (
    <figure class="graph">
      <svg viewBox={`0 0 ${SIZE} ${SIZE}`} role="img" aria-label={label} data-testid="identity-graph">
        <title>{label}</title>
        <g class="edges">
          {edges.map((e) => {
            const a = pos.get(e.a)!;
            const b = pos.get(e.b)!;
            return (
              <line key={`${e.kind}${e.a}-${e.b}`} class={`edge ${e.kind}`} x1={a.x} y1={a.y} x2={b.x} y2={b.y}>
                <title>
                  {e.kind === 'link' ? `Linked by a merge, no shared value: ${e.a} – ${e.b}` : `${e.kind === 'email' ? 'Shared email' : 'Shared phone'} ${e.value}: ${e.a} – ${e.b}`}
                </title>
              </line>
            );
          })}
        </g>
        <g class="nodes">
          {contacts.map((c) => {
            const p = pos.get(c.id)!;
            const isPrimary = c.id === primaryId;
            return (
              <g key={c.id} class={`node${isPrimary ? ' primary' : ''}`} data-contact-id={c.id} transform={`translate(${p.x.toFixed(1)} ${p.y.toFixed(1)})`}>
                <circle r={small ? R_NODE / 2 : R_NODE} />
                {small ? null : (
                  <text text-anchor="middle" dy="0.35em">
                    {c.id}
                  </text>
                )}
                <title>{`${isPrimary ? 'Primary' : 'Secondary'} contact ${c.id}`}</title>
              </g>
            );
          })}
        </g>
      </svg>
      <figcaption>
        <span class="key primary-key">Primary (thick ring)</span>
        <span class="key email-key">shared email</span>
        <span class="key phone-key">shared phone</span>
        <span class="key link-key">merged by hand</span>
      </figcaption>
    </figure>
  );
}
