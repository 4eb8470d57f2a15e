import { describe, expect, it } from 'vitest';
import { parseCidr, parseIpAddress, prefixContains } from './ipaddress';

function bytes(s: string): number[] | undefined {
  const addr = parseIpAddress(s);
  return addr === undefined ? undefined : [...addr.bytes];
}

describe('parseIpAddress (netip.ParseAddr + Unmap)', () => {
  it.each([
    ['192.168.0.1', [192, 168, 0, 1]],
    ['0.0.0.0', [0, 0, 0, 0]],
    ['255.255.255.255', [255, 255, 255, 255]],
    ['::ffff:10.1.2.3', [10, 1, 2, 3]],
    ['::ffff:a01:203', [10, 1, 2, 3]],
    ['::', new Array(16).fill(0)],
    ['::1', [...new Array(15).fill(0), 1]],
    ['2001:db8::1', [0x20, 0x01, 0x0d, 0xb8, ...new Array(11).fill(0), 1]],
    ['2001:DB8:0:0:0:0:0:1', [0x20, 0x01, 0x0d, 0xb8, ...new Array(11).fill(0), 1]],
    ['1::', [0, 1, ...new Array(14).fill(0)]],
    ['::1.2.3.4', [...new Array(12).fill(0), 1, 2, 3, 4]],
  ])('%s', (input, expected) => {
    expect(bytes(input)).toEqual(expected);
  });

  it('keeps IPv6 zones', () => {
    expect(parseIpAddress('fe80::1%eth0')?.zone).toBe('eth0');
  });

  it.each([
    '',
    'abc',
    '1.2.3',
    '1.2.3.4.5',
    '1.2.3.256',
    '01.2.3.4',
    '1..2.3',
    '.1.2.3',
    '1.2.3.4.',
    '1.2.3.4%eth0',
    ' 1.2.3.4',
    '::1::',
    '1:2:3:4:5:6:7:8:9',
    '1:2:3:4:5:6:7',
    '1:2:3:4:5:6:7::8',
    '12345::',
    '1:2:3:4:5:6:1.2.3.4:5',
    '1:2:3:4:1.2.3.4',
    'fe80::1%',
    '%eth0',
    ':1',
    '1:',
  ])('rejects %j', (input) => {
    expect(parseIpAddress(input)).toBeUndefined();
  });
});

describe('parseCidr / prefixContains (netip.ParsePrefix, OpenFGA in_cidr)', () => {
  function contains(cidr: string, ip: string): boolean | undefined {
    const prefix = parseCidr(cidr);
    const addr = parseIpAddress(ip);
    return prefix === undefined || addr === undefined ? undefined : prefixContains(prefix, addr);
  }

  it.each([
    ['192.168.0.0/24', '192.168.0.1', true],
    ['192.168.0.0/24', '192.168.1.0', false],
    ['192.168.0.77/24', '192.168.0.1', true],
    ['10.0.0.0/8', '10.255.255.255', true],
    ['0.0.0.0/0', '1.2.3.4', true],
    ['1.2.3.4/32', '1.2.3.4', true],
    ['1.2.3.4/32', '1.2.3.5', false],
    ['10.0.0.0/9', '10.128.0.0', false],
    ['10.0.0.0/9', '10.127.255.255', true],
    ['2001:db8::/32', '2001:db8:ffff::1', true],
    ['2001:db8::/33', '2001:db8:8000::1', false],
    ['::/0', '1.2.3.4', false],
    ['::ffff:10.0.0.0/104', '10.1.2.3', true],
    ['::ffff:10.0.0.0/90', '10.1.2.3', false],
    ['10.0.0.0/8', '::ffff:10.1.2.3', true],
    ['fe80::/10', 'fe80::1%eth0', false],
  ])('%s contains %s: %s', (cidr, ip, expected) => {
    expect(contains(cidr, ip)).toBe(expected);
  });

  it.each(['10.0.0.0', '10.0.0.0/33', '10.0.0.0/08', '10.0.0.0/+8', '10.0.0.0/', '10.0.0.0/-1', 'fe80::%eth0/64', '::/129', 'x/8'])(
    'rejects %j',
    (cidr) => {
      expect(parseCidr(cidr)).toBeUndefined();
    },
  );
});
