import { describe, expect, test } from 'vitest';
import { baseConfig, integer } from '../src/config.ts';

describe('configuration', () => {
  test('KAFKA_BROKERS is a comma-separated list; MONGO_URL is required', () => {
    const config = baseConfig({ KAFKA_BROKERS: 'a:9092, b:9092', MONGO_URL: 'mongodb://x' });
    expect(config.kafkaBrokers).toEqual(['a:9092', 'b:9092']);
    expect(() => baseConfig({ KAFKA_BROKERS: 'a:9092' })).toThrow(/MONGO_URL is not set/);
  });

  test('integers are validated with the variable name in the message', () => {
    expect(integer({ PORT: '8080' }, 'PORT', 1)).toBe(8080);
    expect(integer({}, 'PORT', 1)).toBe(1);
    expect(() => integer({ PORT: 'eighty' }, 'PORT', 1)).toThrow(/PORT must be/);
  });
});
