/** A console path that is no page. */
import { Heading } from '../../components/Layout';
import { Link } from '../../components/Link';

export function NotFoundPage() {
  return (
    <>
      <Heading>Page not found</Heading>
      <p>
        This console page does not exist. <Link href="/admin/">Find a customer</Link>
      </p>
    </>
  );
}
