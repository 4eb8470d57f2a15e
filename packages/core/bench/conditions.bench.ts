/**
 * Condition evaluation cost: ns per `ConditionSet.evaluate` call for typical conditions, after
 * warm-up. Run with
 * `node --conditions=@gatehouse/source --import tsx bench/conditions.bench.ts` from packages/core.
 */
import { compileConditions } from '../src/conditions/index';

type ConditionContext = Readonly<Record<string, unknown>>;

const set = compileConditions({
  non_expired_grant: {
    name: 'non_expired_grant',
    expression: 'current_time < grant_time + grant_duration',
    parameters: {
      current_time: { type_name: 'TYPE_NAME_TIMESTAMP' },
      grant_time: { type_name: 'TYPE_NAME_TIMESTAMP' },
      grant_duration: { type_name: 'TYPE_NAME_DURATION' },
    },
  },
  in_company_network: {
    name: 'in_company_network',
    expression: 'user_ip.in_cidr(cidr)',
    parameters: {
      user_ip: { type_name: 'TYPE_NAME_IPADDRESS' },
      cidr: { type_name: 'TYPE_NAME_STRING' },
    },
  },
  x_less_than: {
    name: 'x_less_than',
    expression: 'x < 100',
    parameters: { x: { type_name: 'TYPE_NAME_INT' } },
  },
});

interface Scenario {
  readonly label: string;
  readonly condition: string;
  /** Called per iteration, so a scenario can vary its inputs. */
  readonly contexts: (i: number) => readonly [ConditionContext | undefined, ConditionContext | undefined];
}

const grant = { grant_time: '2024-01-01T00:00:00Z', grant_duration: '1h' };
const now = { current_time: '2024-01-01T00:30:00Z' };
const nowVarying = Array.from({ length: 4096 }, (_, i) => ({
  current_time: `2024-01-01T00:${String(i % 60).padStart(2, '0')}:${String(i % 59).padStart(2, '0')}.${i}Z`,
}));
const office = { cidr: '10.0.0.0/8' };
const ipv4 = { user_ip: '10.1.2.3' };
const ipv6Office = { cidr: '2001:db8::/32' };
const ipv6 = { user_ip: '2001:db8:85a3::8a2e:370:7334' };
const ipsVarying = Array.from({ length: 4096 }, (_, i) => ({ user_ip: `10.${i % 256}.${(i >> 8) % 256}.7` }));

const scenarios: readonly Scenario[] = [
  { label: 'x < 100 (int)', condition: 'x_less_than', contexts: () => [undefined, { x: 42 }] },
  {
    label: 'current_time < grant_time + grant_duration',
    condition: 'non_expired_grant',
    contexts: () => [grant, now],
  },
  {
    label: '  ... with a new current_time every call',
    condition: 'non_expired_grant',
    contexts: (i) => [grant, nowVarying[i & 4095]],
  },
  { label: 'user_ip.in_cidr(cidr) IPv4', condition: 'in_company_network', contexts: () => [office, ipv4] },
  { label: 'user_ip.in_cidr(cidr) IPv6', condition: 'in_company_network', contexts: () => [ipv6Office, ipv6] },
  {
    label: '  ... with a new user_ip every call',
    condition: 'in_company_network',
    contexts: (i) => [office, ipsVarying[i & 4095]],
  },
];

function measure(scenario: Scenario, iterations: number): number {
  let met = 0;
  const start = performance.now();
  for (let i = 0; i < iterations; i++) {
    const [tuple, request] = scenario.contexts(i);
    if (set.evaluate(scenario.condition, tuple, request).met) met++;
  }
  const elapsed = performance.now() - start;
  if (met < 0) throw new Error('unreachable: keeps the loop from being optimised away');
  return (elapsed * 1e6) / iterations;
}

const rows: { scenario: string; 'ns/op': number; 'ops/s': number }[] = [];
for (const scenario of scenarios) {
  measure(scenario, 50_000); // warm-up
  const samples = [0, 1, 2, 3, 4].map(() => measure(scenario, 200_000)).sort((a, b) => a - b);
  const median = samples[2] as number;
  rows.push({ scenario: scenario.label, 'ns/op': Math.round(median), 'ops/s': Math.round(1e9 / median) });
}
console.table(rows);
