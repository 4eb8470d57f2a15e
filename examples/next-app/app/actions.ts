'use server';

import { cookies } from 'next/headers';
import { redirect } from 'next/navigation';
import { USERS } from '../lib/model';
import { SESSION_COOKIE } from '../lib/session';

/** Where to go after signing in: a same-site path only, never another origin. */
function safeNext(value: FormDataEntryValue | null): string {
  const next = typeof value === 'string' ? value : '';
  return next.startsWith('/') && !next.startsWith('//') && !next.startsWith('/\\') ? next : '/';
}

/** Signs in as one of the seeded users (stand-in for real authentication). */
export async function signIn(formData: FormData): Promise<void> {
  const id = formData.get('user');
  if (typeof id !== 'string' || !USERS.some((u) => u.id === id)) redirect('/sign-in');
  (await cookies()).set(SESSION_COOKIE, id, { httpOnly: true, sameSite: 'lax', path: '/' });
  redirect(safeNext(formData.get('next')));
}

/** Signs out. */
export async function signOut(): Promise<void> {
  (await cookies()).delete(SESSION_COOKIE);
  redirect('/sign-in');
}
