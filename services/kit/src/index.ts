export * from './config.ts';
export * from './kafka/client.ts';
export * from './kafka/consume.ts';
export * from './kafka/publisher.ts';
export * from './log.ts';
export * from './mongo.ts';
export * from './org-settings.ts';
export * from './trace.ts';
