// The history checker of `npm run chaos`: pure functions from what the campaign saw to the figures it prints.
// Nothing here does I/O, so each rule can be read (and tried) on its own.

export const RANK = { pending: 0, accepted: 1, brewing: 2, completed: 3, cancelled: 3 };
export const FINAL = new Set(['completed', 'cancelled']);
const KIND_OF = { completed: 'order-completed', cancelled: 'order-cancelled' };

/**
 * Reads of one order that went backwards: a read that returned a lower rank than a read which had already
 * finished before it started (overlapping reads may legitimately see either state), or one final status
 * after another (completed, then cancelled). 404 reads are not statuses; the loss rule counts them.
 */
export function backwardReads(reads) {
  const statuses = reads.filter((r) => typeof r.status === 'string' && r.status in RANK).sort((a, b) => a.end - b.end);
  const found = [];
  for (const read of statuses) {
    for (const earlier of statuses) {
      if (earlier.end >= read.start) break;
      const lower = RANK[read.status] < RANK[earlier.status];
      const otherFinal = FINAL.has(earlier.status) && FINAL.has(read.status) && earlier.status !== read.status;
      if (lower || otherFinal) {
        found.push({ earlier, later: read });
        break;
      }
    }
  }
  return found;
}

/** Whether [start, end] overlaps a fault window widened by `graceMs` after its end. */
export function inFaultWindow(windows, start, end, graceMs) {
  return windows.some((w) => start <= w.end + graceMs && end >= w.start);
}

/**
 * @param {object} input
 * @param {Array<{ key: string, customerId: string, storeId: string, answered: Record<string, number>, found?: string[] }>} input.orders
 *   `answered`: each order id a 202 named for this key, with when that 202 arrived; `found`: ids listed for the customer at the end.
 * @param {Record<string, { status: string | 404, storeId?: string, cups?: number, notifications?: string[], beverages?: string[], kiosk?: string | 404 }>} input.finals
 *   the checker's last reads of every order id, keyed by id.
 * @param {Map<string, Array<{ start: number, end: number, status: string | 404 }>>} input.reads every read of each order during the run.
 * @param {Array<{ storeId: string, initial: number, restocked: number, final?: number }>} input.stores
 * @param {number} input.negativeStockReads
 * @param {Array<{ start: number, end: number, method: string, path: string, status?: number, error?: string }>} input.failures
 * @param {Array<{ kind: string, start: number, end: number }>} input.windows
 * @param {number} input.graceMs
 * @param {string[]} input.faultsNotApplied
 */
export function check(input) {
  const detail = {
    lost: [], neverAccepted: [], doubled: [], oversold: [], stock: [], notifications: [], beverages: [], kiosk: [], backwards: [],
    failuresOutside: [], faultsNotApplied: input.faultsNotApplied,
  };
  const completedCups = new Map();
  const countedForStock = new Set();

  for (const order of input.orders) {
    const ids = Object.keys(order.answered);
    if (ids.length === 0) {
      detail.neverAccepted.push({ key: order.key, customerId: order.customerId });
      continue;
    }
    const found = order.found ?? [];
    const extra = found.filter((id) => !(id in order.answered));
    if (ids.length > 1 || extra.length > 0) detail.doubled.push({ key: order.key, answered: ids, extra });

    for (const id of [...ids, ...extra]) {
      const final = input.finals[id];
      const reads = input.reads.get(id) ?? [];
      if (id in order.answered) {
        const ackedAt = order.answered[id];
        const vanished = reads.filter((r) => r.status === 404 && r.start >= ackedAt);
        if (!final || !FINAL.has(final.status) || vanished.length > 0) {
          detail.lost.push({ id, key: order.key, last: final?.status ?? 'unread', notFoundReads: vanished.length });
        }
      }
      const back = backwardReads(reads);
      if (back.length > 0) detail.backwards.push({ id, first: { from: back[0].earlier.status, to: back[0].later.status, at: back[0].later.start } });
      if (!final || !FINAL.has(final.status)) continue;

      if (final.status === 'completed' && !countedForStock.has(id)) {
        countedForStock.add(id);
        const store = final.storeId ?? order.storeId;
        completedCups.set(store, (completedCups.get(store) ?? 0) + (final.cups ?? 0));
      }
      const kinds = final.notifications ?? [];
      if (kinds.length !== 1 || kinds[0] !== KIND_OF[final.status]) detail.notifications.push({ id, status: final.status, kinds });
      const drinks = final.beverages ?? [];
      const wrongDrinks = final.status === 'cancelled' ? drinks.length > 0 : drinks.length === 0 || drinks.some((s) => s !== 'completed');
      if (wrongDrinks) detail.beverages.push({ id, status: final.status, beverages: drinks });
      if (final.kiosk !== final.status) detail.kiosk.push({ id, status: final.status, kiosk: final.kiosk ?? 'unread' });
    }
  }

  for (const store of input.stores) {
    const used = completedCups.get(store.storeId) ?? 0;
    const expected = store.initial + store.restocked - used;
    if (store.final === undefined || store.final !== expected) detail.stock.push({ storeId: store.storeId, expected, final: store.final ?? 'unread', initial: store.initial, restocked: store.restocked, completedCups: used });
    if ((store.final ?? 0) < 0 || used > store.initial + store.restocked) detail.oversold.push({ storeId: store.storeId, supplied: store.initial + store.restocked, completedCups: used, final: store.final });
  }
  for (let i = 0; i < input.negativeStockReads; i++) detail.oversold.push({ negativeStockRead: true });

  for (const f of input.failures) if (!inFaultWindow(input.windows, f.start, f.end, input.graceMs)) detail.failuresOutside.push(f);

  const metrics = [
    ['orders lost (202, then 404 or never final)', detail.lost.length],
    ['orders never accepted (no 202 within the bound)', detail.neverAccepted.length],
    ['intake doubled (key with two ids, or an unacknowledged order)', detail.doubled.length],
    ['oversold (negative stock, or more cups used than supplied)', detail.oversold.length],
    ['stores whose stock is not conserved', detail.stock.length],
    ['final orders without exactly one right notification', detail.notifications.length],
    ['beverages not matching the order (cancelled with, completed without)', detail.beverages.length],
    ['kiosk read model disagreeing', detail.kiosk.length],
    ['orders read going backwards', detail.backwards.length],
    ['5xx or no answer outside fault windows', detail.failuresOutside.length],
    ['faults planned but not applied', detail.faultsNotApplied.length],
  ].map(([name, value]) => ({ name, value }));
  return { ok: metrics.every((m) => m.value === 0), metrics, detail };
}
