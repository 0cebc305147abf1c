import { describe, expect, it } from 'vitest';
import { checkpointsIn, lagOf } from '../../functions/operations/lag';

describe('consumer lag for operators', () => {
  const at = (last: number, checkpoint: number, partitionId = '0') => ({ partitionId, lastEnqueuedSequenceNumber: last, checkpointSequenceNumber: checkpoint });

  it('counts the events each group has not checkpointed past, per partition and in all', () => {
    const [orders] = lagOf([{ consumerGroup: 'orders', partitions: [at(99, 89), at(49, 49, '1'), at(-1, -1, '2')] }]);
    expect(orders).toMatchObject({ consumerGroup: 'orders', lag: 10, partitions: [{ lag: 10 }, { lag: 0 }, { lag: 0 }] });
    expect(orders!.eventsPerSecond).toBeUndefined();
  });

  it('gives each group its throughput since the previous reading', () => {
    const earlier = { at: 0, groups: [{ consumerGroup: 'kiosk', partitions: [at(100, 19)] }] };
    const [kiosk] = lagOf([{ consumerGroup: 'kiosk', partitions: [at(200, 99)] }], earlier, 2_000);
    expect(kiosk).toMatchObject({ lag: 101, eventsPerSecond: 40 });
  });

  it('reads the checkpointed sequence numbers from the host checkpoint store listing', () => {
    const xml = `<?xml version="1.0"?><EnumerationResults><Blobs>
      <Blob><Name>ns.servicebus.windows.net/cafe-events/orders/checkpoint/0</Name><Metadata><offset>123</offset><sequencenumber>41</sequencenumber></Metadata></Blob>
      <Blob><Name>ns.servicebus.windows.net/cafe-events/orders/checkpoint/3</Name><Metadata><sequencenumber>7</sequencenumber></Metadata></Blob>
    </Blobs></EnumerationResults>`;
    expect([...checkpointsIn(xml)]).toEqual([['0', 41], ['3', 7]]);
  });
});
