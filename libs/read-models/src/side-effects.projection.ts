import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { SIDE_EFFECT_RECORDED_V1, SIDE_EFFECT_RETRACTED_V1, SideEffectRecordedV1, TOPICS } from '@smp/contracts';
import type { ChangedMonths, Prefetch, SqlParameter, TopicProjection } from './topic-projection.js';
import { sideEffectChange, type SideEffectChange } from './side-effect-projection.js';
import { SideEffectsStore, type LoadedStates } from './side-effects.store.js';

@Injectable()
export class SideEffectsProjection implements TopicProjection<SideEffectRecordedV1, SideEffectChange, LoadedStates> {
  readonly topic = TOPICS.sideEffects;
  readonly types = [SIDE_EFFECT_RECORDED_V1, SIDE_EFFECT_RETRACTED_V1];
  readonly contract = SideEffectRecordedV1;

  constructor(private readonly store: SideEffectsStore) {}

  toChange(type: string, data: SideEffectRecordedV1): SideEffectChange {
    return sideEffectChange(data, type === SIDE_EFFECT_RETRACTED_V1);
  }

  prefetch(changes: readonly SideEffectChange[], param: SqlParameter): Prefetch<LoadedStates> {
    return this.store.prefetch(changes, param);
  }

  apply(tx: EntityManager, changes: readonly SideEffectChange[], prefetched?: LoadedStates): Promise<ChangedMonths> {
    return this.store.apply(tx, changes, prefetched);
  }
}
