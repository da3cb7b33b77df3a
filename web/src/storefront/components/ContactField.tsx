/**
 * One contact field of the checkout form (email or phone): its label, the input, and the error
 * the page's check or the API gave it, tied to the input for screen readers (aria-invalid,
 * aria-describedby).
 */
import type { Ref } from 'preact';

export interface ContactFieldProps {
  id: 'email' | 'phone';
  label: string;
  type: 'email' | 'tel';
  value: string;
  onInput: (value: string) => void;
  error: string | undefined;
  inputRef: Ref<HTMLInputElement>;
}

export function ContactField({ id, label, type, value, onInput, error, inputRef }: ContactFieldProps) {
  const errorId = `${id}-error`;
  // One literal type per branch: Preact's input attributes are a union discriminated on `type`.
  const kind = type === 'email' ? ({ type: 'email', autocomplete: 'email' } as const) : ({ type: 'tel', autocomplete: 'tel' } as const);
  return (
    <>
      <label for={id}>{label}</label>
      <input
        id={id}
        ref={inputRef}
        {...kind}
        value={value}
        onInput={(e) => onInput(e.currentTarget.value)}
        aria-invalid={error ? 'true' : undefined}
        aria-describedby={error ? errorId : undefined}
      />
      {error && (
        <p id={errorId} class="error">
          {error}
        </p>
      )}
    </>
  );
}
