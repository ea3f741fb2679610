export { waitFor } from './wait.ts';
