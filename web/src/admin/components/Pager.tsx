/**
 * Paging over the API's opaque cursors: a stack of the cursors of the pages seen, so "Previous"
 * goes back exactly; reset when the listing's filters change.
 */
import { useEffect, useState } from 'preact/hooks';

export interface Paging {
  cursor: string | null;
  pageNumber: number;
  next(cursor: string): void;
  previous(): void;
}

export function usePaging(resetOn: unknown[]): Paging {
  const [stack, setStack] = useState<Array<string | null>>([null]);
  // eslint-disable-next-line react-hooks/exhaustive-deps
  useEffect(() => setStack([null]), resetOn);
  return {
    cursor: stack[stack.length - 1] ?? null,
    pageNumber: stack.length,
    next: (cursor) => setStack((s) => [...s, cursor]),
    previous: () => setStack((s) => (s.length > 1 ? s.slice(0, -1) : s)),
  };
}

export function Pager({ paging, nextCursor, label }: { paging: Paging; nextCursor: string | null; label: string }) {
  return (
    <nav class="pager" aria-label={label}>
      <button type="button" class="secondary" onClick={paging.previous} disabled={paging.pageNumber === 1}>
        Previous page
      </button>
      <span aria-live="polite">Page {paging.pageNumber}</span>
      <button type="button" class="secondary" onClick={() => nextCursor && paging.next(nextCursor)} disabled={!nextCursor}>
        Next page
      </button>
    </nav>
  );
}
