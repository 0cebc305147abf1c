import { describe, expect, it } from 'vitest';
import { createCleanup } from '../../functions/operations/cleanup';
import { OPEN_PARTITION, orderAt } from '../../functions/orders/rows';
import { boardAt, toBoardRow, viewAt } from '../../functions/kiosk/rows';
import { newOrderId } from '../../shared/identifiers';
import { getOrUndefined } from '../../shared/tables';
import { TABLES } from '../../shared/topology';
import { invocationContext } from '../support/context';
import { testDeps } from '../support/deps';

const DAY = 86_400_000;

describe('the retention timer', () => {
  it('deletes finished orders and their kiosk views past RETENTION_DAYS, and keeps recent or unfinished ones and the store boards', async () => {
    const now = new Date('2026-11-25T10:00:00.000Z');
    const deps = testDeps({ retentionDays: 30 }, () => now);
    const orders = await deps.table(TABLES.orders);
    const kiosk = await deps.table(TABLES.kiosk);
    const oldDone = newOrderId(new Date(now.getTime() - 40 * DAY));
    const oldOpen = newOrderId(new Date(now.getTime() - 40 * DAY + 1));
    const recent = newOrderId(new Date(now.getTime() - 29 * DAY));
    for (const [id, status] of [[oldDone, 'completed'], [oldOpen, 'brewing'], [recent, 'completed']] as const) {
      await orders.createEntity({ ...orderAt(id), status, storeId: 'main' });
      await kiosk.createEntity({ ...viewAt(id), status, storeId: 'main' });
    }
    await orders.createEntity({ partitionKey: OPEN_PARTITION, rowKey: oldOpen });
    // The store's board is no time bucket: the timer deletes buckets and leaves the board.
    await kiosk.createEntity({ ...boardAt('main'), ...toBoardRow('main', [{ orderId: oldDone, status: 'completed', updatedAt: now.toISOString() }]) });

    await createCleanup(deps)({}, invocationContext().context);

    const has = async (client: typeof orders, at: { partitionKey: string; rowKey: string }) => (await getOrUndefined(client, at.partitionKey, at.rowKey)) !== undefined;
    expect([await has(orders, orderAt(oldDone)), await has(orders, orderAt(oldOpen)), await has(orders, orderAt(recent))]).toEqual([false, true, true]);
    expect([await has(kiosk, viewAt(oldDone)), await has(kiosk, viewAt(recent))]).toEqual([false, true]);
    expect(await has(orders, { partitionKey: OPEN_PARTITION, rowKey: oldOpen })).toBe(true);
    expect(await has(kiosk, boardAt('main'))).toBe(true);
  });
});
