import { describe, expect, it } from 'vitest';
import { createBeverageErasure } from '../../functions/beverages/erasure';
import { JOB_ROW, toRow as toJobRow, type JobRow } from '../../functions/beverages/rows';
import { startBrewing } from '../../functions/beverages/brewing';
import { createKioskErasure } from '../../functions/kiosk/erasure';
import { createKioskProjection } from '../../functions/kiosk/projector';
import { createNotificationErasure } from '../../functions/notifications/erasure';
import { createNotifier } from '../../functions/notifications/notifier';
import { makeEvent } from '../../shared/events';
import { ERASED_CUSTOMER, newOrderId } from '../../shared/identifiers';
import { TABLES } from '../../shared/topology';
import { invocationContext } from '../support/context';
import { testDeps } from '../support/deps';

const items = [{ menuItemId: 'americano', quantity: 1 }];
const erased = (orderId: string) => makeEvent('CustomerErased', { orderId, storeId: 'main', occurredAt: '2026-11-27T10:00:00.000Z', customerId: 'c-9' });

describe('erasing a customer', () => {
  it('leaves the brewing job its figures under the erased marker', async () => {
    const deps = testDeps();
    const jobs = await deps.table(TABLES.beverages);
    await jobs.createEntity(toJobRow(startBrewing({ orderId: 'e1', storeId: 'main', customerId: 'c-9', items }, new Date(), 3)));
    expect(await createBeverageErasure(deps)([erased('e1'), erased('unknown')], invocationContext().context)).toEqual([]);
    const row = await jobs.getEntity<JobRow>('e1', JOB_ROW);
    expect(row).toMatchObject({ customerId: ERASED_CUSTOMER, storeId: 'main', items: JSON.stringify(items) });
  });

  it('keeps the kiosk view erased when a final event is delivered again', async () => {
    const deps = testDeps();
    const project = createKioskProjection(deps);
    const at = '2026-11-27T10:00:01.000Z';
    const completed = makeEvent('OrderCompleted', { orderId: 'e2', storeId: 'main', occurredAt: at, customerId: 'c-9' });
    await project([makeEvent('OrderPlaced', { orderId: 'e2', storeId: 'main', occurredAt: at, customerId: 'c-9', items, cups: 1 }), completed], invocationContext().context);
    await createKioskErasure(deps)([erased('e2')], invocationContext().context);
    await project([completed], invocationContext().context);
    const rows = await (await deps.table(TABLES.kiosk)).listEntities().byPage().next();
    expect(JSON.stringify(rows.value)).not.toContain('c-9');
  });

  it('deletes both copies of a notification: the customer\'s and the one kept by order', async () => {
    const deps = testDeps();
    const orderId = newOrderId(new Date('2026-11-27T10:00:00.000Z'));
    const completed = makeEvent('OrderCompleted', { orderId, storeId: 'main', occurredAt: '2026-11-27T10:00:05.000Z', customerId: 'c-9' });
    expect(await createNotifier(deps)([completed], invocationContext().context)).toEqual([]);
    const table = await deps.table(TABLES.notifications);
    const ofOrder = async () => (await (await table.listEntities({ queryOptions: { filter: `orderId eq '${orderId}'` } }).byPage().next()).value ?? []).length;
    expect(await ofOrder()).toBe(2);
    expect(await createNotificationErasure(deps)([erased(orderId)], invocationContext().context)).toEqual([]);
    expect(await ofOrder()).toBe(0);
  });
});
