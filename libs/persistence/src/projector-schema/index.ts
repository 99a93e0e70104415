import type { SchemaOwner } from '../data-source-options.js';
import { CreateProjectorSchema1763769600001 } from './1763769600001-create-projector-schema.js';
import { PigmentsAndProcedures1763769600007 } from './1763769600007-pigments-and-procedures.js';
import { ReadSide1763769600008 } from './1763769600008-read-side.js';
import { Rollups1763769600010 } from './1763769600010-rollups.js';
import { MonthIndexes1763769600011 } from './1763769600011-month-indexes.js';
import { ReportCounts1763769600012 } from './1763769600012-report-counts.js';
import { CountingOpen1763769600013 } from './1763769600013-counting-open.js';

export const PROJECTOR_SCHEMA: SchemaOwner = {
  schema: 'projector',
  migrations: [
    CreateProjectorSchema1763769600001,
    PigmentsAndProcedures1763769600007,
    ReadSide1763769600008,
    Rollups1763769600010,
    MonthIndexes1763769600011,
    ReportCounts1763769600012,
    CountingOpen1763769600013,
  ],
};
