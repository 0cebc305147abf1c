/** Pure brewing decisions. */

export type BrewStatus = 'brewing' | 'completed';

export interface BrewJob {
  orderId: string;
  storeId: string;
  customerId: string;
  items: { menuItemId: string; quantity: number }[];
  status: BrewStatus;
  startedAt: string;
  readyAt: string;
  completedAt?: string;
}

export function startBrewing(
  order: { orderId: string; storeId: string; customerId: string; items: { menuItemId: string; quantity: number }[] },
  now: Date,
  brewSeconds: number,
): BrewJob {
  return {
    orderId: order.orderId,
    storeId: order.storeId,
    customerId: order.customerId,
    items: order.items.map(({ menuItemId, quantity }) => ({ menuItemId, quantity })),
    status: 'brewing',
    startedAt: now.toISOString(),
    readyAt: new Date(now.getTime() + brewSeconds * 1000).toISOString(),
  };
}

export function isReady(job: BrewJob, now: Date): boolean {
  return job.status === 'brewing' && Date.parse(job.readyAt) <= now.getTime();
}

export function finish(job: BrewJob, now: Date): BrewJob {
  return job.status === 'completed' ? job : { ...job, status: 'completed', completedAt: now.toISOString() };
}

/** The public view: one beverage per order line. */
export function beverages(job: BrewJob) {
  return job.items.map((item, index) => ({
    id: `${job.orderId}-${index + 1}`,
    orderId: job.orderId,
    storeId: job.storeId,
    menuItemId: item.menuItemId,
    quantity: item.quantity,
    status: job.status,
    startedAt: job.startedAt,
    readyAt: job.readyAt,
    ...(job.completedAt ? { completedAt: job.completedAt } : {}),
  }));
}
