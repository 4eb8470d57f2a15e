import { describe, expect, it } from 'vitest';
import { calendarFields, civilFromDays, daysFromCivil, formatRfc3339Nano, parseRfc3339, zoneOffsetSeconds } from './timestamp';

describe('parseRfc3339 (Go time.Parse with time.RFC3339)', () => {
  it.each([
    ['1970-01-01T00:00:00Z', 0n, 0],
    ['2023-10-11T10:00:00Z', 1697018400n, 0],
    ['2023-10-11T10:00:00.000Z', 1697018400n, 0],
    ['2023-10-11T10:00:00.5Z', 1697018400n, 500_000_000],
    ['2023-10-11T10:00:00,25Z', 1697018400n, 250_000_000],
    ['2023-10-11T10:00:00.1234567891Z', 1697018400n, 123_456_789],
    ['2023-10-11T12:00:00+02:00', 1697018400n, 0],
    ['2023-10-11T05:30:00-04:30', 1697018400n, 0],
    ['1969-12-31T23:59:59Z', -1n, 0],
    ['2024-02-29T00:00:00Z', 1709164800n, 0],
    ['0001-01-01T00:00:00Z', -62135596800n, 0],
    ['9999-12-31T23:59:59Z', 253402300799n, 0],
  ])('%s', (input, seconds, nanos) => {
    expect(parseRfc3339(input)).toEqual({ seconds, nanos });
  });

  it.each([
    '2023-10-11',
    '2023-10-11T10:00:00',
    '2023-10-11t10:00:00Z',
    '2023-10-11T10:00:00z',
    '2023-10-11 10:00:00Z',
    '2023-10-11T11:00.000Z',
    '2023-10-11T10:00:00.Z',
    '2023-10-11T24:00:00Z',
    '2023-10-11T10:60:00Z',
    '2023-10-11T10:00:60Z',
    '2023-02-29T10:00:00Z',
    '2023-13-01T10:00:00Z',
    '2023-10-11T10:00:00+0200',
    '2023-10-11T10:00:00+24:00',
    '2023-10-11T10:00:00Z ',
    '+2023-10-11T10:00:00Z',
    '23-10-11T10:00:00Z',
  ])('rejects %j', (input) => {
    expect(parseRfc3339(input)).toBeUndefined();
  });
});

describe('calendar arithmetic', () => {
  it('round-trips civil dates', () => {
    for (const days of [-719162, -1, 0, 1, 11016, 19641, 2932896]) {
      const { year, month, day } = civilFromDays(days);
      expect(daysFromCivil(year, month, day)).toBe(days);
    }
    expect(civilFromDays(0)).toEqual({ year: 1970, month: 1, day: 1 });
  });

  it('computes fields in UTC and at fixed offsets', () => {
    const instant = { seconds: 1697014800n, nanos: 500_000_000 }; // 2023-10-11T09:00:00.5Z, a Wednesday
    expect(calendarFields(instant, 0)).toEqual({
      year: 2023,
      month: 10,
      day: 11,
      hour: 9,
      minute: 0,
      second: 0,
      millisecond: 500,
      dayOfWeek: 3,
      dayOfYear: 283,
    });
    expect(calendarFields(instant, -10 * 3600).day).toBe(10);
    expect(calendarFields({ seconds: -1n, nanos: 0 }, 0)).toMatchObject({ year: 1969, month: 12, day: 31, hour: 23, dayOfWeek: 3 });
  });

  it('resolves zones like cel-go', () => {
    const summer = { seconds: 1697014800n, nanos: 0 };
    const winter = { seconds: 1704067200n, nanos: 0 };
    expect(zoneOffsetSeconds('UTC', summer)).toBe(0);
    expect(zoneOffsetSeconds('', summer)).toBe(0);
    expect(zoneOffsetSeconds('+05:30', summer)).toBe(19800);
    expect(zoneOffsetSeconds('-08:00', summer)).toBe(-28800);
    expect(zoneOffsetSeconds('02:00', summer)).toBe(7200);
    expect(zoneOffsetSeconds('America/Los_Angeles', summer)).toBe(-7 * 3600);
    expect(zoneOffsetSeconds('America/Los_Angeles', winter)).toBe(-8 * 3600);
    expect(zoneOffsetSeconds('Asia/Kolkata', winter)).toBe(19800);
    expect(() => zoneOffsetSeconds('Nowhere/Special', summer)).toThrow();
    expect(() => zoneOffsetSeconds('+01:60', summer)).toThrow();
    expect(() => zoneOffsetSeconds('x:00', summer)).toThrow();
  });

  it('formats as RFC3339Nano in UTC', () => {
    expect(formatRfc3339Nano({ seconds: 1697014800n, nanos: 500_000_000 })).toBe('2023-10-11T09:00:00.5Z');
    expect(formatRfc3339Nano({ seconds: 0n, nanos: 0 })).toBe('1970-01-01T00:00:00Z');
    expect(formatRfc3339Nano({ seconds: -62135596800n, nanos: 1 })).toBe('0001-01-01T00:00:00.000000001Z');
  });
});
