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
 * the group no longer reads (rebalanced away, stopped) stops being reported.
 */
export const trackConsumerLag = (consumer: Consumer, group: string): void => {
  const forget = () => {
    for (const [key, entry] of lags) if (entry.group === group) lags.delete(key);
  };
  consumer.on(consumer.events.END_BATCH_PROCESS, ({ payload }) => {
    lags.set(`${group}\u0000${payload.topic}\u0000${payload.partition}`, {
      group,
      topic: payload.topic,
      partition: payload.partition,
      lag: Number(payload.offsetLag),
    });
  });
  consumer.on(consumer.events.REBALANCING, forget);
  consumer.on(consumer.events.STOP, forget);
};
