// kafkajs ships no types for its protocol internals; tests use them to build raw requests.
declare module 'kafkajs/src/*';
