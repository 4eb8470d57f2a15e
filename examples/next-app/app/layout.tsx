import type { Metadata } from 'next';
import Link from 'next/link';
import type { ReactNode } from 'react';
import { cookies } from 'next/headers';
import { USERS } from '../lib/model';
import { SESSION_COOKIE } from '../lib/session';
import { signOut } from './actions';
import './globals.css';

export const metadata: Metadata = {
  title: 'Gatehouse creator platform',
  description: 'A Next.js example of @gatehouse/next and @gatehouse/react.',
};

/** The shell: navigation and who is signed in. */
export default async function RootLayout({ children }: { children: ReactNode }) {
  const id = (await cookies()).get(SESSION_COOKIE)?.value;
  const user = USERS.find((u) => u.id === id);
  return (
    <html lang="en">
      <body>
        <header>
          <Link href="/">Creator platform</Link>
          <Link href="/artists/nova">Nova</Link>
          <Link href="/artists/kite">Kite</Link>
          <div className="session">
            {user ? (
              <>
                <span data-testid="current-user">Signed in as {user.name}</span>
                <form action={signOut}>
                  <button type="submit" className="secondary">
                    Sign out
                  </button>
                </form>
              </>
            ) : (
              <>
                <span data-testid="current-user">Not signed in</span>
                <Link href="/sign-in">Sign in</Link>
              </>
            )}
          </div>
        </header>
        <main>{children}</main>
      </body>
    </html>
  );
}
