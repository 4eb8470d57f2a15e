import { USERS } from '../../lib/model';
import { signIn, signOut } from '../actions';

/** Pick a seeded user (the cookie stands in for real authentication). */
export default async function SignInPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const { next } = await searchParams;
  return (
    <>
      <h1>Sign in</h1>
      <p className="muted">Choose who you are. Each person has a different role in the seed data.</p>
      <ul className="users">
        {USERS.map((user) => (
          <li className="card" key={user.id}>
            <div>
              <strong>{user.name}</strong> <span className="muted">user:{user.id}</span>
              <div className="muted">{user.role}</div>
            </div>
            <form action={signIn}>
              <input type="hidden" name="user" value={user.id} />
              <input type="hidden" name="next" value={typeof next === 'string' ? next : '/'} />
              <button type="submit">Sign in as {user.name}</button>
            </form>
          </li>
        ))}
      </ul>
      <form action={signOut}>
        <button type="submit" className="secondary">
          Sign out
        </button>
      </form>
    </>
  );
}
