import { describe, expect, it } from 'vitest';
import { customerMessage } from '../../functions/kiosk/projection';
import { shortOrderNumber as notificationNumber } from '../../functions/notifications/messages';
import { t } from '../../functions/kiosk/web/i18n.js';
import { boardColumns, canCancel, isFinal, isLowStock, shortOrderNumber, staffReasonKey, staffStatusKey, statusView } from '../../functions/kiosk/web/status.js';

const STATUSES = ['pending', 'accepted', 'brewing', 'completed', 'cancelled'] as const;

describe('order status on the kiosk', () => {
  it('maps every contract status to a customer message, a look and a step', () => {
    expect(statusView('pending')).toEqual({ messageKey: 'status.received', tone: 'received', step: 0, final: false });
    expect(statusView('accepted')).toMatchObject({ messageKey: 'status.accepted', tone: 'preparing', step: 1, final: false });
    expect(statusView('brewing')).toMatchObject({ messageKey: 'status.brewing', tone: 'preparing', step: 1, final: false });
    expect(statusView('completed')).toMatchObject({ messageKey: 'status.ready', helpKey: 'status.help.ready', tone: 'ready', step: 2, final: true });
    expect(statusView('cancelled', 'out-of-cups')).toMatchObject({ messageKey: 'reason.out-of-cups', tone: 'cancelled', step: -1, final: true });
  });

  it('says a cancellation reason in plain words, and something kind for a reason it does not know', () => {
    expect(t('en', statusView('cancelled', 'out-of-cups').messageKey)).toBe('Sorry, we are out of cups');
    expect(t('ko', statusView('cancelled', 'out-of-cups').messageKey)).toBe('죄송합니다. 컵 재고가 부족합니다');
    expect(t('en', statusView('cancelled', 'machine-broken').messageKey)).toBe('Sorry, your order was cancelled');
    expect(t('en', statusView('cancelled').messageKey)).toBe('Sorry, your order was cancelled');
  });

  it('agrees in English with the read model’s own message for every status', () => {
    for (const status of STATUSES) {
      const reason = status === 'cancelled' ? 'out-of-cups' : undefined;
      const server = customerMessage({ status, reason });
      expect(server).toContain(t('en', statusView(status, reason).messageKey));
    }
  });

  it('keeps following a status it does not know yet', () => {
    expect(statusView('queued')).toMatchObject({ final: false, tone: 'received' });
  });

  it('knows which statuses are final', () => {
    expect(STATUSES.filter(isFinal)).toEqual(['completed', 'cancelled']);
  });

  it('shows the same short order number as the notifications', () => {
    const id = '0mww4smoj65be660706ee5390';
    expect(shortOrderNumber(id)).toBe('5390');
    expect(shortOrderNumber('0mww4smoj65be660706ee922d')).toBe('922D');
    expect(shortOrderNumber(id)).toBe(notificationNumber(id));
  });
});

describe('the pickup board', () => {
  // The board carries pickup codes and statuses only (no order ids).
  const view = (id: string, status: string) => ({ code: id.slice(-4).toUpperCase(), status });

  it('splits recent orders into preparing (queue order) and ready (newest first), without cancellations', () => {
    // GET /kiosk/orders answers newest first
    const views = [view('o0006', 'pending'), view('o0005', 'completed'), view('o0004', 'brewing'), view('o0003', 'cancelled'), view('o0002', 'accepted'), view('o0001', 'completed')];
    const { preparing, ready } = boardColumns(views);
    expect(preparing.map((t) => t.number)).toEqual(['0002', '0004', '0006']);
    expect(ready.map((t) => t.number)).toEqual(['0005', '0001']);
    expect(ready[0]).toEqual({ number: '0005' });
  });

  it('caps each column and tolerates an answer that is not a list', () => {
    const many = Array.from({ length: 30 }, (_, i) => view(`o${String(100 + i)}`, 'completed'));
    expect(boardColumns(many, 12).ready).toHaveLength(12);
    expect(boardColumns(undefined)).toEqual({ preparing: [], ready: [] });
  });
});

describe('the staff page’s words', () => {
  it('has a word for every status and the known reasons', () => {
    for (const status of STATUSES) expect(t('en', staffStatusKey(status))).not.toBe(staffStatusKey(status));
    expect(t('en', staffReasonKey('out-of-cups')!)).toBe('Out of cups');
    expect(staffReasonKey(undefined)).toBeUndefined();
    expect(staffReasonKey('something-new')).toBeUndefined();
  });

  it('warns at or below the low-stock threshold', () => {
    expect(isLowStock(5, 5)).toBe(true);
    expect(isLowStock(0, 5)).toBe(true);
    expect(isLowStock(6, 5)).toBe(false);
    expect(isLowStock(Number.NaN, 5)).toBe(false);
  });
});

describe('cancelling from the kiosk', () => {
  it('offers the cancel while nothing brews (pending, or accepted and waiting for a machine), and not after', () => {
    expect(STATUSES.filter((s) => canCancel(s))).toEqual(['pending', 'accepted']);
    expect(canCancel('unknown-status')).toBe(false);
  });

  it('shows a queued (accepted) order on the pickup board as preparing', () => {
    const { preparing } = boardColumns([{ code: 'A1', status: 'accepted' }, { code: 'B2', status: 'brewing' }]);
    expect(preparing.map((tile) => tile.number).sort()).toEqual(['A1', 'B2']);
  });
});
