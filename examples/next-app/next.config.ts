import type { NextConfig } from 'next';

const nextConfig: NextConfig = {
  // `gatehouse.assert` in server components calls forbidden()/unauthorized() (403/401 pages,
  // app/forbidden.tsx and app/unauthorized.tsx), which Next.js 16 still gates behind this flag.
  experimental: { authInterrupts: true },
  reactStrictMode: true,
  poweredByHeader: false,
};

export default nextConfig;
