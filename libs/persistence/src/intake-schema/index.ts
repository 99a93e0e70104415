import type { SchemaOwner } from '../data-source-options.js';
import { CreateIntakeSchema1763769600000 } from './1763769600000-create-intake-schema.js';

export const INTAKE_SCHEMA: SchemaOwner = {
  schema: 'intake',
  migrations: [CreateIntakeSchema1763769600000],
};
