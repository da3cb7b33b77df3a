/** The storefront's entry: mounts the shop (placeholder until the pages land). */
import { render } from 'preact';

render(<main><h1>FluxKart</h1></main>, document.getElementById('app')!);
