import { ReactNode, useEffect, useId, useRef, useState } from 'react';
import { ApiError } from '../api';

/** A value the admin pastes into their IdP, with a button that copies it. */
export function CopyField({ label, value, secret = false }: { label: string; value: string; secret?: boolean }) {
  const [copied, setCopied] = useState(false);
  const id = useId();
  useEffect(() => {
    if (!copied) return;
    const timer = window.setTimeout(() => setCopied(false), 2000);
    return () => window.clearTimeout(timer);
  }, [copied]);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(value);
    } catch {
      // Without clipboard permission (plain http, an old browser): select the text for Ctrl+C.
      const input = document.getElementById(id) as HTMLInputElement | null;
      input?.select();
    }
    setCopied(true);
  };
  return (
    <div className="copy-field">
      <label htmlFor={id}>{label}</label>
      <div className="copy-row">
        <input
          id={id}
          readOnly
          value={value}
          className={secret ? 'mono secret' : 'mono'}
          onFocus={(e) => e.currentTarget.select()}
        />
        <button type="button" className="button secondary" onClick={() => void copy()}>
          {copied ? 'Copied' : 'Copy'}
          <span className="visually-hidden"> {label}</span>
        </button>
      </div>
      <span className="visually-hidden" aria-live="polite">
        {copied ? `${label} copied to the clipboard` : ''}
      </span>
    </div>
  );
}

export type Tone = 'ok' | 'warn' | 'bad' | 'neutral' | 'info';

export function Badge({ tone, children }: { tone: Tone; children: ReactNode }) {
  return <span className={`badge badge-${tone}`}>{children}</span>;
}

export function Card({
  title,
  actions,
  children,
  id,
}: {
  title?: ReactNode;
  actions?: ReactNode;
  children: ReactNode;
  id?: string;
}) {
  return (
    <section className="card" id={id} aria-labelledby={id && title ? `${id}-title` : undefined}>
      {(title || actions) && (
        <header className="card-header">
          {title && <h2 id={id ? `${id}-title` : undefined}>{title}</h2>}
          {actions && <div className="card-actions">{actions}</div>}
        </header>
      )}
      {children}
    </section>
  );
}

/** An API error as a sentence; validation details listed when the API gave them. */
export function ErrorNote({ error }: { error: ApiError | undefined }) {
  if (!error) return null;
  const details = (error.body as { error?: { details?: { path?: string; message?: string }[] } } | undefined)?.error
    ?.details;
  return (
    <div className="note note-bad" role="alert">
      <strong>{error.message}</strong>
      {Array.isArray(details) && details.length > 0 && (
        <ul>
          {details.map((detail, index) => (
            <li key={index}>
              {detail.path ? <code>{detail.path}</code> : null} {detail.message}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

export function Note({ tone, children }: { tone: Tone; children: ReactNode }) {
  return (
    <div className={`note note-${tone}`} role={tone === 'bad' ? 'alert' : 'status'}>
      {children}
    </div>
  );
}

export function Loading({ label = 'Loading…' }: { label?: string }) {
  return (
    <p className="loading" role="status">
      <span className="spinner" aria-hidden="true" /> {label}
    </p>
  );
}

export function Empty({ children }: { children: ReactNode }) {
  return <p className="empty">{children}</p>;
}

/** A labelled text input; the label is always visible (placeholders are no labels). */
export function Field({
  label,
  hint,
  value,
  onChange,
  type = 'text',
  required = false,
  placeholder,
  name,
  autoComplete = 'off',
}: {
  label: string;
  hint?: ReactNode;
  value: string;
  onChange: (value: string) => void;
  type?: string;
  required?: boolean;
  placeholder?: string;
  name?: string;
  autoComplete?: string;
}) {
  const id = useId();
  return (
    <div className="field">
      <label htmlFor={id}>
        {label}
        {required && <span aria-hidden="true"> *</span>}
      </label>
      <input
        id={id}
        name={name}
        type={type}
        value={value}
        required={required}
        placeholder={placeholder}
        autoComplete={autoComplete}
        spellCheck={false}
        aria-describedby={hint ? `${id}-hint` : undefined}
        onChange={(e) => onChange(e.currentTarget.value)}
      />
      {hint && (
        <p className="hint" id={`${id}-hint`}>
          {hint}
        </p>
      )}
    </div>
  );
}

export function Button({
  children,
  onClick,
  kind = 'primary',
  type = 'button',
  disabled = false,
  pending = false,
  id,
}: {
  children: ReactNode;
  onClick?: () => void;
  kind?: 'primary' | 'secondary' | 'danger' | 'link';
  type?: 'button' | 'submit';
  disabled?: boolean;
  pending?: boolean;
  id?: string;
}) {
  return (
    <button
      id={id}
      type={type}
      className={`button ${kind}`}
      onClick={onClick}
      disabled={disabled || pending}
      aria-busy={pending}
    >
      {pending && <span className="spinner" aria-hidden="true" />}
      {children}
    </button>
  );
}

/** A date as the reader's locale writes it, with the exact time on hover. */
export function When({ at }: { at: string | null | undefined }) {
  if (!at) return <span className="muted">never</span>;
  const date = new Date(at);
  return (
    <time dateTime={at} title={date.toISOString()}>
      {relative(date)}
    </time>
  );
}

export function relative(date: Date, now = Date.now()): string {
  const seconds = Math.round((now - date.getTime()) / 1000);
  if (Math.abs(seconds) < 45) return 'just now';
  const minutes = Math.round(seconds / 60);
  if (Math.abs(minutes) < 60) return minutes > 0 ? `${minutes} min ago` : `in ${-minutes} min`;
  const hours = Math.round(minutes / 60);
  if (Math.abs(hours) < 24) return hours > 0 ? `${hours} h ago` : `in ${-hours} h`;
  return date.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
}

let firstPage = true;

/**
 * Moves keyboard focus to a page's heading when the page changes inside the
 * app, so screen readers announce it; the first page keeps the browser's own
 * start (Tab reaches "Skip to content" first).
 */
export function PageTitle({ children, sub }: { children: ReactNode; sub?: ReactNode }) {
  const ref = useRef<HTMLHeadingElement>(null);
  // On mount only: a page's later renders (data arriving) must not pull the focus back.
  useEffect(() => {
    if (firstPage) firstPage = false;
    else ref.current?.focus();
  }, []);
  return (
    <div className="page-title">
      <h1 ref={ref} tabIndex={-1}>
        {children}
      </h1>
      {sub && <p className="lede">{sub}</p>}
    </div>
  );
}

/** A secret shown once: copy it now, it is never shown again. */
export function OnceSecret({ label, value, children }: { label: string; value: string; children?: ReactNode }) {
  return (
    <div className="once">
      <Note tone="warn">
        <strong>Copy this now.</strong> It is shown only once; the gateway keeps only a hash of it.
      </Note>
      <CopyField label={label} value={value} secret />
      {children}
    </div>
  );
}
