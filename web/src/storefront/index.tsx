/**
 * The storefront's entry: the header, the page of the current hash route, focus moved to the new
 * page's heading on navigation (for screen readers and keyboards). Styles: style.css.
 */
import { render } from 'preact';
import { useEffect } from 'preact/hooks';
import { Header } from './components/Header';
import { CartPage } from './pages/Cart';
import { Catalogue } from './pages/Catalogue';
import { CheckoutPage } from './pages/Checkout';
import { ProductPage } from './pages/Product';
import { href, useRoute, type Route } from './router';
import './style.css';

const TITLES: Record<Route['page'], string> = {
  catalogue: 'Electronics',
  product: 'Product',
  cart: 'Your cart',
  checkout: 'Checkout',
  notFound: 'Page not found',
};

function Page({ route }: { route: Route }) {
  switch (route.page) {
    case 'catalogue':
      return <Catalogue />;
    case 'product':
      return <ProductPage id={route.id} />;
    case 'cart':
      return <CartPage />;
    case 'checkout':
      return <CheckoutPage />;
    default:
      return (
        <>
          <h1 tabIndex={-1}>Page not found</h1>
          <p>
            <a href={href.catalogue}>Back to the shop</a>
          </p>
        </>
      );
  }
}

let firstRender = true;

function App() {
  const route = useRoute();
  const key = route.page === 'product' ? `product:${route.id}` : route.page;
  useEffect(() => {
    document.title = `${TITLES[route.page]} — FluxKart`;
    if (firstRender) {
      firstRender = false;
      return;
    }
    window.scrollTo(0, 0);
    document.querySelector<HTMLElement>('main h1')?.focus();
  }, [key]);
  return (
    <>
      <a class="skip" href="#main" onClick={(e) => { e.preventDefault(); document.getElementById('main')?.focus(); }}>
        Skip to content
      </a>
      <Header />
      <main id="main" tabIndex={-1}>
        <Page route={route} key={key} />
      </main>
      <footer class="site-footer">
        <p>FluxKart — demo shop. Prices in US dollars.</p>
      </footer>
    </>
  );
}

render(<App />, document.getElementById('app')!);
