import { FormEvent, useState } from 'react';
import { PortalSignedInAs } from '../types';
import { Button, Field, Note } from '../ui/ui';

/**
 * The portal's door for a visitor without a session: a setup link opens it, and so does an
 * administrator's sign-in through their own IdP (the gateway finds the organization by the
 * email's domain, and the sign-in comes back here). When a session has just ended, it says so.
 */
export function PortalEntry({
  ended,
  left,
  signInUrl,
}: {
  ended: boolean;
  left: boolean;
  signInUrl: string | undefined;
}) {
  const [email, setEmail] = useState('');
  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    if (!signInUrl) return;
    // A navigation, not a form post: the sign-in leaves for the IdP, which the CSP's form-action would refuse.
    window.location.assign(`${signInUrl}&login_hint=${encodeURIComponent(email.trim())}`);
  };
  return (
    <main className="center-screen" id="main">
      <div className="card narrow entry">
        {ended ? <div className="expired-icon" aria-hidden="true" /> : <Brand />}
        <h1 className="center">{ended ? 'Your setup session has ended' : 'Open the setup portal'}</h1>
        {left && (
          <Note tone="ok">
            You have left the setup portal. The link that opened it cannot open it again: ask for a new one to come
            back.
          </Note>
        )}
        {ended && (
          <Note tone="warn">
            For your security, a setup portal session ends after a while without activity, and a few hours after it
            opened at most.
          </Note>
        )}
        <section aria-labelledby="entry-link">
          <h2 id="entry-link">With a setup link</h2>
          <p>
            Open the link from the message you received. Each link opens the portal once: if yours has been used or has
            expired, ask your contact at the vendor for a new one.
          </p>
        </section>
        {signInUrl && (
          <>
            <p className="divider">
              <span>or</span>
            </p>
            <section aria-labelledby="entry-admin">
              <h2 id="entry-admin">As an administrator</h2>
              <p>
                Administrators of their organization in this service sign in with their work account, and come back
                here.
              </p>
              <form onSubmit={onSubmit} className="stack">
                <Field
                  label="Work email"
                  type="email"
                  value={email}
                  onChange={setEmail}
                  required
                  name="email"
                  autoComplete="email"
                />
                <Button type="submit" id="admin-sign-in" disabled={email.trim() === ''}>
                  Sign in as administrator
                </Button>
              </form>
            </section>
          </>
        )}
      </div>
    </main>
  );
}

/** A signed-in person who is not their organization's administrator: who they are, why, and what to ask for. */
export function NotTenantAdmin({ signedIn }: { signedIn: PortalSignedInAs }) {
  return (
    <main className="center-screen" id="main">
      <div className="card narrow entry">
        <Brand />
        <h1 className="center">This account cannot open the setup portal</h1>
        <p>
          You are signed in as <strong>{signedIn.userName}</strong> of <strong>{signedIn.tenant.name}</strong>, without
          the role <code>admin</code>. The setup portal opens for the organization's administrators, and with setup
          links.
        </p>
        <p>
          Ask an administrator of {signedIn.tenant.name} to give you the role <code>admin</code>, or ask your contact at
          the vendor for a setup link.
        </p>
        <a className="button secondary block" href="/auth/logout" id="sign-out">
          Sign out
        </a>
      </div>
    </main>
  );
}

function Brand() {
  return (
    <div className="brand brand-center">
      <span className="brand-mark" aria-hidden="true" />
      <span className="brand-name">Setup portal</span>
    </div>
  );
}
