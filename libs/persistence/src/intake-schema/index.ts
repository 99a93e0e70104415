import type { SchemaOwner } from '../data-source-options.js';
import { CreateIntakeSchema1763769600000 } from './1763769600000-create-intake-schema.js';
import { CaseDetails1763769600002 } from './1763769600002-case-details.js';
import { RegistriesAndKeys1763769600003 } from './1763769600003-registries-and-keys.js';
import { CaseLifecycle1763769600004 } from './1763769600004-case-lifecycle.js';
import { ProceduresAndIdempotency1763769600005 } from './1763769600005-procedures-and-idempotency.js';
import { PossibleDuplicates1763769600006 } from './1763769600006-possible-duplicates.js';
import { DropRedundantIndexes1763769600007 } from './1763769600007-drop-redundant-indexes.js';
import { AnnounceApiKeyChanges1763769600012 } from './1763769600012-announce-api-key-changes.js';

export const INTAKE_SCHEMA: SchemaOwner = {
  schema: 'intake',
  migrations: [
    CreateIntakeSchema1763769600000,
    CaseDetails1763769600002,
    RegistriesAndKeys1763769600003,
    CaseLifecycle1763769600004,
    ProceduresAndIdempotency1763769600005,
    PossibleDuplicates1763769600006,
    DropRedundantIndexes1763769600007,
    AnnounceApiKeyChanges1763769600012,
  ],
};
