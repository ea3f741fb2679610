export { type RunningStore, type StoreOptions, startStore } from './server.ts';
