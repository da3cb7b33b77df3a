/**
 * Loading, error and empty states shared by the pages, and `useAsync`, which runs a request and
 * tracks its state. Screen readers hear "Loading…" (status) and errors (alert).
 */
import type { ComponentChildren } from 'preact';
import { useCallback, useEffect, useState } from 'preact/hooks';
import { ApiError, ForbiddenError } from '../api/client';

export type AsyncState<T> =
  | { status: 'loading' }
  | { status: 'error'; error: unknown }
  | { status: 'done'; value: T };

/** Runs `load` whenever `deps` change; `reload()` runs it again. */
export function useAsync<T>(load: () => Promise<T>, deps: unknown[]): [AsyncState<T>, () => void] {
  const [state, setState] = useState<AsyncState<T>>({ status: 'loading' });
  const [tick, setTick] = useState(0);
  useEffect(() => {
    let live = true;
    setState({ status: 'loading' });
    load().then(
      (value) => live && setState({ status: 'done', value }),
      (error: unknown) => live && setState({ status: 'error', error }),
    );
    return () => {
      live = false;
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [...deps, tick]);
  return [state, useCallback(() => setTick((t) => t + 1), [])];
}

export function Loading({ label = 'Loading…' }: { label?: string }) {
  return (
    <p class="state loading" role="status">
      {label}
    </p>
  );
}

export function messageOf(error: unknown): string {
  if (error instanceof ForbiddenError) return 'Not an administrator: this account may not see customer data (403).';
  if (error instanceof ApiError) return error.message;
  return 'Something went wrong. Try again.';
}

export function ErrorNotice({ error, onRetry }: { error: unknown; onRetry?: () => void }) {
  return (
    <div class="state error" role="alert">
      <p>
        {messageOf(error)}
        {error instanceof ApiError && error.code ? <span class="code"> ({error.code})</span> : null}
      </p>
      {onRetry ? (
        <button type="button" onClick={onRetry}>
          Try again
        </button>
      ) : null}
    </div>
  );
}

export function Empty({ children }: { children: ComponentChildren }) {
  return <p class="state empty">{children}</p>;
}
