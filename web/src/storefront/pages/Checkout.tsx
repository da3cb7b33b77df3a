/**
 * Checkout: an email and/or a phone number, checked in the page with the very rules the API uses
 * (lib/validation.ts), then POST /checkout. The server's answer decides: its error message is
 * shown beside the field it names; on success the order number and the customer's greeting, with
 * the contact details on file only masked (the API never sends them in clear).
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import { formatPrice } from '../../../../lib/checkout/catalogue';
import type { CheckoutResponseBody } from '../../../../lib/schemas/checkout';
import { normaliseEmail, normalisePhoneNumber } from '../../../../lib/validation';
import { ApiError, postJson } from '../../shared/api';
import { cart, forgetPendingOrder, orderIdFor, useCart } from '../cart';
import { CartSummary } from '../components/CartSummary';
import { ContactField } from '../components/ContactField';
import { href } from '../router';

type Field = 'email' | 'phone' | 'form';
type Errors = Partial<Record<Field, string>>;

/** Which field an API error code is about. */
function fieldOf(code: string): Field {
  if (code === 'invalid_email') return 'email';
  if (code === 'invalid_phone_number') return 'phone';
  return 'form';
}

function check(email: string, phone: string): { errors: Errors; email: string | null; phone: string | null } {
  const errors: Errors = {};
  let e: string | null = null;
  let p: string | null = null;
  try {
    e = normaliseEmail(email);
  } catch (error) {
    errors.email = (error as Error).message;
  }
  try {
    p = normalisePhoneNumber(phone);
  } catch (error) {
    errors.phone = (error as Error).message;
  }
  if (!errors.email && !errors.phone && e === null && p === null) errors.form = 'Provide at least one of email and phoneNumber.';
  return { errors, email: e, phone: p };
}

export function CheckoutPage() {
  const lines = useCart();
  const [email, setEmail] = useState('');
  const [phone, setPhone] = useState('');
  const [errors, setErrors] = useState<Errors>({});
  const [busy, setBusy] = useState(false);
  const [done, setDone] = useState<CheckoutResponseBody | null>(null);
  const emailRef = useRef<HTMLInputElement>(null);
  const phoneRef = useRef<HTMLInputElement>(null);
  const formErrorRef = useRef<HTMLParagraphElement>(null);
  const doneRef = useRef<HTMLHeadingElement>(null);

  useEffect(() => {
    if (done) doneRef.current?.focus();
  }, [done]);

  const focusFirst = (found: Errors) => {
    if (found.email) emailRef.current?.focus();
    else if (found.phone) phoneRef.current?.focus();
    else formErrorRef.current?.focus();
  };

  const submit = async (event: Event) => {
    event.preventDefault();
    if (busy) return;
    const checked = check(email, phone);
    setErrors(checked.errors);
    if (Object.keys(checked.errors).length > 0) {
      focusFirst(checked.errors);
      return;
    }
    const items = lines.map(({ productId, quantity }) => ({ productId, quantity }));
    setBusy(true);
    try {
      const orderId = await orderIdFor(JSON.stringify([items, checked.email, checked.phone]));
      const answer = await postJson<CheckoutResponseBody>('/checkout', { orderId, items, email: checked.email, phoneNumber: checked.phone });
      forgetPendingOrder();
      cart.clear();
      setDone(answer);
    } catch (error) {
      const apiError = error instanceof ApiError ? error : new ApiError(0, 'unknown', 'Something went wrong. Try again.');
      // A refusal is final for this order id; a network error or 5xx keeps it for the retry.
      if (apiError.status >= 400 && apiError.status < 500) forgetPendingOrder();
      const found = { [fieldOf(apiError.code)]: apiError.message } as Errors;
      setErrors(found);
      focusFirst(found);
    } finally {
      setBusy(false);
    }
  };

  if (done) {
    const { order, customer } = done;
    const contacts = [...customer.contacts.emails, ...customer.contacts.phoneNumbers];
    return (
      <section class="confirmation" aria-labelledby="done-title">
        <h1 id="done-title" ref={doneRef} tabIndex={-1}>
          Thank you! Order {order.orderNumber}
        </h1>
        <p class="greeting">{customer.greeting}</p>
        <dl class="summary">
          <dt>Order number</dt>
          <dd>{order.orderNumber}</dd>
          <dt>Total paid</dt>
          <dd class="total">{formatPrice(order.total)}</dd>
          <dt>Contact details on file</dt>
          <dd>{contacts.join(', ')}</dd>
        </dl>
        <p>
          <a href={href.catalogue}>Continue shopping</a>
        </p>
      </section>
    );
  }

  if (lines.length === 0) {
    return (
      <>
        <h1 tabIndex={-1}>Checkout</h1>
        <p>
          Your cart is empty. <a href={href.catalogue}>Browse the shop</a>
        </p>
      </>
    );
  }

  return (
    <>
      <h1 tabIndex={-1}>Checkout</h1>
      <CartSummary lines={lines} />
      <form class="checkout" noValidate onSubmit={submit} aria-describedby="contact-hint">
        <p id="contact-hint">Give an email address, a phone number, or both: we use them to recognise you next time.</p>
        <ContactField id="email" label="Email" type="email" value={email} onInput={setEmail} error={errors.email} inputRef={emailRef} />
        <ContactField id="phone" label="Phone number" type="tel" value={phone} onInput={setPhone} error={errors.phone} inputRef={phoneRef} />
        <p class="error" role="alert" ref={formErrorRef} tabIndex={-1}>
          {errors.form ?? ''}
        </p>
        <button type="submit" class="primary" disabled={busy}>
          {busy ? 'Placing your order…' : 'Place order'}
        </button>
      </form>
    </>
  );
}
