import { describe, expect, it } from 'vitest';
import { faultShareOf } from '../../local-host/src/settings';

describe('fault-injection settings of the local host', () => {
  it('take true, false, unset or a share of the batches, and refuse anything else naming the setting', () => {
    expect(faultShareOf({ CAFE_DELIVER_TWICE: 'true' }, 'CAFE_DELIVER_TWICE')).toBe(1);
    expect(faultShareOf({ CAFE_DELIVER_TWICE: 'false' }, 'CAFE_DELIVER_TWICE')).toBe(0);
    expect(faultShareOf({}, 'CAFE_DELIVER_TWICE')).toBe(0);
    expect(faultShareOf({ CAFE_CONCURRENT_DELIVERY: '0.2' }, 'CAFE_CONCURRENT_DELIVERY')).toBe(0.2);
    expect(() => faultShareOf({ CAFE_CONCURRENT_DELIVERY: '2' }, 'CAFE_CONCURRENT_DELIVERY')).toThrow(/CAFE_CONCURRENT_DELIVERY/);
    expect(() => faultShareOf({ CAFE_CONCURRENT_DELIVERY: 'often' }, 'CAFE_CONCURRENT_DELIVERY')).toThrow(/CAFE_CONCURRENT_DELIVERY/);
  });
});
