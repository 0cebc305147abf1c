import { describe, expect, it } from 'vitest';
import { customerMessage, evolve, type KioskEvent, type KioskView } from '../../functions/kiosk/projection';
import { makeEvent } from '../../shared/events';

const base = (minute: number) => ({ orderId: 'o1', storeId: 'main', occurredAt: `2026-11-25T10:0${minute}:00.000Z` });
const placed = makeEvent('OrderPlaced', { ...base(0), customerId: 'c-1', items: [{ menuItemId: 'iced-tea', quantity: 1 }], cups: 1 });
const reserved = makeEvent('CupsReserved', { ...base(1), customerId: 'c-1', items: [{ menuItemId: 'iced-tea', quantity: 1 }], cups: 1 });
const brewing = makeEvent('BrewingStarted', { ...base(2), readyAt: '2026-11-25T10:02:03.000Z' });
const completed = makeEvent('OrderCompleted', { ...base(3), customerId: 'c-1' });
const cancelled = makeEvent('OrderCancelled', { ...base(1), customerId: 'c-1', reason: 'out-of-cups' });

function fold(events: KioskEvent[]): KioskView | undefined {
  return events.reduce<KioskView | undefined>((view, event) => evolve(view, event) ?? view, undefined);
}

describe('the kiosk read model', () => {
  it('follows an order from received to ready', () => {
    expect(fold([placed, reserved, brewing, completed])).toEqual({
      orderId: 'o1',
      storeId: 'main',
      customerId: 'c-1',
      items: [{ menuItemId: 'iced-tea', quantity: 1 }],
      cups: 1,
      status: 'completed',
      readyAt: '2026-11-25T10:02:03.000Z',
      createdAt: '2026-11-25T10:00:00.000Z',
      updatedAt: '2026-11-25T10:03:00.000Z',
    });
  });

  it('shows a cancellation with its reason', () => {
    expect(fold([placed, cancelled])).toMatchObject({ status: 'cancelled', reason: 'out-of-cups' });
  });

  it('changes nothing when an event is delivered again', () => {
    const view = fold([placed, reserved]);
    expect(evolve(view, reserved)).toBeUndefined();
    expect(evolve(view, placed)).toBeUndefined();
  });

  it('ignores a late event for an earlier status', () => {
    const done = fold([placed, reserved, brewing, completed]);
    expect(evolve(done, brewing)).toBeUndefined();
  });

  it('keeps the order details when they arrive after a status', () => {
    const view = fold([reserved, placed]);
    expect(view).toMatchObject({ status: 'accepted', items: [{ menuItemId: 'iced-tea', quantity: 1 }], createdAt: '2026-11-25T10:00:00.000Z' });
  });

  it.each([
    ['pending', undefined, 'Order received'],
    ['brewing', undefined, 'Preparing your drinks'],
    ['completed', undefined, 'Ready to pick up'],
    ['cancelled', 'out-of-cups', 'Cancelled: Sorry, we are out of cups'],
  ] as const)('tells the customer about a %s order', (status, reason, message) => {
    expect(customerMessage({ status, ...(reason ? { reason } : {}) })).toBe(message);
  });
});
