export { type DemoCredentials, seedDemoOrganization } from './seed.ts';
export { type ServiceSpec, type SupervisedService, supervise } from './supervisor.ts';
