import { describe, expect, it } from 'vitest';
import { check, type CheckInput, type Read } from '../../scripts/chaos/checker.mjs';

/** One store with 10 cups, one customer who ordered 2 cups (order o1, accepted at t=100) which completed. */
function cleanRun(): CheckInput {
  return {
    orders: [{ key: 'k1', customerId: 'c1', storeId: 's1', answered: { o1: 100 }, found: ['o1'] }],
    finals: { o1: { status: 'completed', storeId: 's1', cups: 2, notifications: ['order-completed'], beverages: ['completed'], kiosk: 'completed' } },
    reads: new Map<string, Read[]>([['o1', [{ start: 90, end: 100, status: 'pending' }, { start: 200, end: 210, status: 'completed' }]]]),
    stores: [{ storeId: 's1', initial: 10, restocked: 3, final: 11 }],
    negativeStockReads: 0,
    failures: [],
    windows: [],
    graceMs: 5_000,
    faultsNotApplied: [],
  };
}

const figure = (input: CheckInput, prefix: string) => check(input).metrics.find((m) => m.name.startsWith(prefix))?.value;

describe('the chaos history checker', () => {
  it('passes a run where every order ended once, was told once and used the cups it should', () => {
    const result = check(cleanRun());
    expect(result.metrics.filter((m) => m.value !== 0)).toEqual([]);
    expect(result.ok).toBe(true);
  });

  it('counts an order answered 202 and later read as 404 as lost, even when it is final at the end', () => {
    const run = cleanRun();
    run.reads.get('o1')!.push({ start: 150, end: 160, status: 404 });
    expect(figure(run, 'orders lost')).toBe(1);
    expect(check(run).ok).toBe(false);
  });

  it('counts an accepted order that never became final as lost', () => {
    const run = cleanRun();
    run.finals.o1 = { status: 'brewing', storeId: 's1', cups: 2 };
    expect(figure(run, 'orders lost')).toBe(1);
  });

  it('counts one key answered with two order ids, and an order found for the customer without a 202, as doubled intake', () => {
    const twoIds = cleanRun();
    twoIds.orders[0]!.answered.o2 = 300;
    twoIds.finals.o2 = { ...twoIds.finals.o1!, cups: 0 };
    expect(figure(twoIds, 'intake doubled')).toBe(1);

    const unacknowledged = cleanRun();
    unacknowledged.orders[0]!.found = ['o1', 'o9'];
    unacknowledged.finals.o9 = { status: 'cancelled', storeId: 's1', cups: 2, notifications: ['order-cancelled'], beverages: [], kiosk: 'cancelled' };
    expect(figure(unacknowledged, 'intake doubled')).toBe(1);
  });

  it('sees a read going backwards only when the higher read had finished before the lower one started', () => {
    const backwards = cleanRun();
    backwards.reads.get('o1')!.push({ start: 220, end: 230, status: 'accepted' });
    expect(figure(backwards, 'orders read going backwards')).toBe(1);

    const overlapping = cleanRun();
    overlapping.reads.get('o1')!.push({ start: 205, end: 230, status: 'accepted' });
    expect(figure(overlapping, 'orders read going backwards')).toBe(0);
  });

  it('finds stock not conserved when final cups differ from initial plus restocks minus completed cups', () => {
    const run = cleanRun();
    run.stores[0]!.final = 9;
    expect(figure(run, 'stores whose stock is not conserved')).toBe(1);
  });

  it('counts negative stock and more cups used than supplied as oversold', () => {
    const negative = cleanRun();
    negative.negativeStockReads = 2;
    expect(figure(negative, 'oversold')).toBe(2);

    const overused = cleanRun();
    overused.finals.o1!.cups = 20;
    expect(figure(overused, 'oversold')).toBe(1);
  });

  it('wants exactly one notification of the kind that matches the final status', () => {
    const wrongKind = cleanRun();
    wrongKind.finals.o1!.notifications = ['order-cancelled'];
    expect(figure(wrongKind, 'final orders without exactly one right notification')).toBe(1);

    const twice = cleanRun();
    twice.finals.o1!.notifications = ['order-completed', 'order-completed'];
    expect(figure(twice, 'final orders without exactly one right notification')).toBe(1);
  });

  it('flags beverages for a cancelled order and a kiosk view that disagrees with the order', () => {
    const run = cleanRun();
    run.finals.o1 = { status: 'cancelled', storeId: 's1', cups: 2, notifications: ['order-cancelled'], beverages: ['brewing'], kiosk: 'brewing' };
    run.stores[0]!.final = 13;
    expect(figure(run, 'beverages not matching')).toBe(1);
    expect(figure(run, 'kiosk read model disagreeing')).toBe(1);
  });

  it('blames a 5xx on a fault only inside its window or the grace after it', () => {
    const run = cleanRun();
    run.windows = [{ kind: 'SIGKILL', start: 1_000, end: 2_000 }];
    run.failures = [
      { start: 1_500, end: 1_600, method: 'POST', path: '/orders', error: 'ECONNREFUSED' },
      { start: 6_000, end: 6_100, method: 'POST', path: '/orders', status: 503 },
      { start: 8_000, end: 8_100, method: 'GET', path: '/orders/o1', status: 500 },
    ];
    expect(figure(run, '5xx or no answer outside fault windows')).toBe(1);
  });
});
