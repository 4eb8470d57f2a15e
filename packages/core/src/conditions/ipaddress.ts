/**
 * OpenFGA's `ipaddress` condition type (internal/condition/types/ipaddress.go): Go's
 * `netip.ParseAddr` / `netip.ParsePrefix` rules, IPv4-mapped IPv6 addresses unmapped, and
 * `in_cidr` with OpenFGA's handling of IPv4-mapped CIDRs.
 */

/** A parsed address: 4 or 16 bytes, plus an IPv6 zone (`fe80::1%eth0`). */
export interface IpAddr {
  readonly bytes: Uint8Array;
  readonly zone: string;
}

/** A parsed CIDR prefix. */
export interface IpPrefix {
  readonly addr: IpAddr;
  readonly bits: number;
}

function parseIPv4Into(s: string, out: Uint8Array, offset: number): boolean {
  let val = 0;
  let pos = 0;
  let digLen = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 48 && c <= 57) {
      if (digLen === 1 && val === 0) return false; // leading zero
      val = val * 10 + (c - 48);
      digLen++;
      if (val > 255) return false;
    } else if (c === 46) {
      if (i === 0 || i === s.length - 1 || s.charCodeAt(i - 1) === 46 || pos === 3) return false;
      out[offset + pos] = val;
      pos++;
      val = 0;
      digLen = 0;
    } else {
      return false;
    }
  }
  if (pos < 3) return false;
  out[offset + 3] = val;
  return true;
}

function hexValue(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 97 && c <= 102) return c - 87;
  if (c >= 65 && c <= 70) return c - 55;
  return -1;
}

function parseIPv6(input: string): IpAddr | undefined {
  let s = input;
  let zone = '';
  const percent = s.indexOf('%');
  if (percent >= 0) {
    zone = s.slice(percent + 1);
    s = s.slice(0, percent);
    if (zone === '') return undefined;
  }
  const ip = new Uint8Array(16);
  let ellipsis = -1;
  if (s.length >= 2 && s[0] === ':' && s[1] === ':') {
    ellipsis = 0;
    s = s.slice(2);
    if (s.length === 0) return { bytes: ip, zone };
  }
  let i = 0;
  while (i < 16) {
    let off = 0;
    let acc = 0;
    while (off < s.length) {
      const h = hexValue(s.charCodeAt(off));
      if (h < 0) break;
      if (off > 3) return undefined; // more than 4 hex digits
      acc = acc * 16 + h;
      off++;
    }
    if (off === 0) return undefined;
    if (off < s.length && s[off] === '.') {
      if ((ellipsis < 0 && i !== 12) || i + 4 > 16) return undefined;
      if (!parseIPv4Into(s, ip, i)) return undefined;
      s = '';
      i += 4;
      break;
    }
    ip[i] = acc >> 8;
    ip[i + 1] = acc & 0xff;
    i += 2;
    s = s.slice(off);
    if (s.length === 0) break;
    if (s[0] !== ':' || s.length === 1) return undefined;
    s = s.slice(1);
    if (s[0] === ':') {
      if (ellipsis >= 0) return undefined;
      ellipsis = i;
      s = s.slice(1);
      if (s.length === 0) break;
    }
  }
  if (s.length !== 0) return undefined;
  if (i < 16) {
    if (ellipsis < 0) return undefined;
    const n = 16 - i;
    for (let j = i - 1; j >= ellipsis; j--) ip[j + n] = ip[j] as number;
    ip.fill(0, ellipsis, ellipsis + n);
  } else if (ellipsis >= 0) {
    return undefined;
  }
  return { bytes: ip, zone };
}

/** Go's `netip.ParseAddr`; `undefined` when Go rejects the string. */
function parseAddr(s: string): IpAddr | undefined {
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (c === '.') {
      const out = new Uint8Array(4);
      return parseIPv4Into(s, out, 0) ? { bytes: out, zone: '' } : undefined;
    }
    if (c === ':') return parseIPv6(s);
    if (c === '%') return undefined;
  }
  return undefined;
}

function isMappedIPv4(bytes: Uint8Array): boolean {
  if (bytes.length !== 16) return false;
  for (let i = 0; i < 10; i++) if (bytes[i] !== 0) return false;
  return bytes[10] === 0xff && bytes[11] === 0xff;
}

/** Go's `Addr.Unmap`: `::ffff:1.2.3.4` becomes `1.2.3.4` (and loses any zone). */
function unmap(addr: IpAddr): IpAddr {
  return isMappedIPv4(addr.bytes) ? { bytes: addr.bytes.slice(12), zone: '' } : addr;
}

/** OpenFGA's `ParseIPAddress`: `netip.ParseAddr` then `Unmap`. */
export function parseIpAddress(s: string): IpAddr | undefined {
  const addr = parseAddr(s);
  return addr === undefined ? undefined : unmap(addr);
}

/** Go's `netip.ParsePrefix`: no zone, no sign or leading zero in the bit count. */
export function parseCidr(s: string): IpPrefix | undefined {
  const slash = s.lastIndexOf('/');
  if (slash < 0) return undefined;
  const addr = parseAddr(s.slice(0, slash));
  if (addr === undefined || addr.zone !== '') return undefined;
  const bitsStr = s.slice(slash + 1);
  if (!/^(0|[1-9][0-9]*)$/.test(bitsStr)) return undefined;
  const bits = Number(bitsStr);
  if (bits > addr.bytes.length * 8) return undefined;
  // OpenFGA unmaps the CIDR too, so an IPv4-mapped IPv6 CIDR matches plain IPv4 addresses.
  if (bits >= 96 && isMappedIPv4(addr.bytes)) return { addr: unmap(addr), bits: bits - 96 };
  return { addr, bits };
}

/** Go's `Prefix.Contains`: same address family, no zone, the first `bits` bits equal. */
export function prefixContains(prefix: IpPrefix, ip: IpAddr): boolean {
  if (ip.zone !== '' || ip.bytes.length !== prefix.addr.bytes.length) return false;
  let bits = prefix.bits;
  for (let i = 0; bits > 0; i++, bits -= 8) {
    const mask = bits >= 8 ? 0xff : (0xff << (8 - bits)) & 0xff;
    if ((((ip.bytes[i] as number) ^ (prefix.addr.bytes[i] as number)) & mask) !== 0) return false;
  }
  return true;
}
