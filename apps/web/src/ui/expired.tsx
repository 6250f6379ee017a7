import { ReactNode } from 'react';

/** What a person sees when the session is gone (link expired, used up, signed out): why, and what to do. */
export function Expired({ title, children }: { title: string; children: ReactNode }) {
  return (
    <main className="center-screen" id="main">
      <div className="card narrow expired" role="alert">
        <div className="expired-icon" aria-hidden="true" />
        <h1>{title}</h1>
        {children}
      </div>
    </main>
  );
}
