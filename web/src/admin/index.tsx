/**
 * The admin console's entry (placeholder from the scaffolding; the console owns this file).
 * Nothing of the storefront here.
 */
import { render } from 'preact';
import { loadRuntimeConfig } from '../shared/config';

function Console() {
  return (
    <main>
      <h1>FluxKart admin console</h1>
      <p>Coming soon.</p>
    </main>
  );
}

void loadRuntimeConfig().then(() => render(<Console />, document.getElementById('app')!));
