export { loadConfig } from './config.ts';
export { CONTENT_TRANSFER_GROUP_ID, startContentTransfer } from './service.ts';
