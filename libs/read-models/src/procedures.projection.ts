import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { PROCEDURES_RECORDED_V1, ProceduresRecordedV1, TOPICS } from '@smp/contracts';
import type { ChangedMonths, TopicProjection } from './topic-projection.js';
import { ProceduresStore } from './procedures.store.js';

@Injectable()
export class ProceduresProjection implements TopicProjection<ProceduresRecordedV1> {
  readonly topic = TOPICS.procedures;
  readonly types = [PROCEDURES_RECORDED_V1];
  readonly contract = ProceduresRecordedV1;

  constructor(private readonly store: ProceduresStore) {}

  toChange(_type: string, data: ProceduresRecordedV1): ProceduresRecordedV1 {
    return data;
  }

  apply(tx: EntityManager, changes: readonly ProceduresRecordedV1[]): Promise<ChangedMonths> {
    return this.store.apply(tx, changes);
  }
}
