import { metrics } from '@opentelemetry/api';
import type { Consumer } from 'kafkajs';

/** The lag each consumer of the process last saw, by group, topic and partition. */
const lags = new Map<string, { group: string; topic: string; partition: number; lag: number }>();

metrics
  .getMeter('roster')
  .createObservableGauge('roster.kafka.consumer.lag', {
    description: 'Messages on a partition not yet processed by the group, as of its last fetched batch',
    unit: '{message}',
  })
  .addCallback((result) => {
    for (const { group, topic, partition, lag } of lags.values())
      result.observe(lag, {
        'messaging.consumer.group.name': group,
        'messaging.destination.name': topic,
        'messaging.destination.partition.id': String(partition),
      });
  });

/**
 * Follows a consumer's lag from kafkajs' own end-of-batch events (high watermark minus the last
 * offset processed): no request of its own to the broker, whatever the scrape rate. A partition
 * this member no longer reads (rebalanced away, stopped) drops to 0 here: the SDK keeps exporting
 * the last value of a series (cumulative temporality), and a frozen old lag would page someone;
 * the member that reads the partition now reports its real lag, so alert on the max per partition.
 */
export const trackConsumerLag = (consumer: Consumer, group: string): void => {
  const released = () => {
    for (const entry of lags.values()) if (entry.group === group) entry.lag = 0;
  };
  consumer.on(consumer.events.END_BATCH_PROCESS, ({ payload }) => {
    lags.set(`${group}\u0000${payload.topic}\u0000${payload.partition}`, {
      group,
      topic: payload.topic,
      partition: payload.partition,
      lag: Number(payload.offsetLag),
    });
  });
  consumer.on(consumer.events.REBALANCING, released);
  consumer.on(consumer.events.STOP, released);
};
