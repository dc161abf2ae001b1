import { InitialSchema1795614451659 } from './1795614451659-InitialSchema';

/** Every migration, in order. Generated with `npm run migration:generate -- <Name>`, then reviewed. */
export const MIGRATIONS: Function[] = [InitialSchema1795614451659];
