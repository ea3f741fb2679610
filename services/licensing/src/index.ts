export { type LicensingConfig, loadConfig } from './config.ts';
export {
  decideLicensing,
  type LicensingChange,
  type LicensingContext,
  type LicensingDecision,
  type LicensingSettings,
} from './domain/decide.ts';
export { LICENSING_GROUP_ID, type RunningLicensing, startLicensing } from './service.ts';
export { LicensingStore } from './store/licenses.ts';
