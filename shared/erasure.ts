import type { InvocationContext } from '@azure/functions';
import type { EventFailure } from './consumer';
import type { CafeEvent, CafeEventType, CustomerErased, EventOf } from './events';

type Handle<E> = (events: E[], context: InvocationContext) => Promise<EventFailure[]>;

/**
 * Lets a consumer take CustomerErased besides its own events. An order's erasure is published after
 * the order is final, so in a batch it comes after the order's other events and is applied after them.
 */
export function withErasure<T extends Exclude<CafeEventType, 'CustomerErased'>>(handle: Handle<EventOf<T>>, erase: Handle<CustomerErased>): Handle<EventOf<T> | CustomerErased> {
  return async function handleWithErasure(events, context) {
    const isErasure = (e: CafeEvent): e is CustomerErased => e.type === 'CustomerErased';
    const erasures = (events as CafeEvent[]).filter(isErasure);
    const others = (events as CafeEvent[]).filter((e) => !isErasure(e)) as EventOf<T>[];
    return [...(others.length > 0 ? await handle(others, context) : []), ...(erasures.length > 0 ? await erase(erasures, context) : [])];
  };
}
