import { CasesProjection } from './cases.projection.js';
import { ProceduresProjection } from './procedures.projection.js';
import { ProceduresStore } from './procedures.store.js';
import { ClinicsProjection, PigmentsProjection } from './registry.projection.js';
import { SideEffectsProjection } from './side-effects.projection.js';
import { SideEffectsStore } from './side-effects.store.js';
import type { TopicProjection } from './topic-projection.js';

/** Every topic the read models are built from, with how it changes them: the live projector and a rebuild use the same list. */
export function createProjections(): TopicProjection[] {
  return [
    new SideEffectsProjection(new SideEffectsStore()),
    new ProceduresProjection(new ProceduresStore()),
    new CasesProjection(),
    new ClinicsProjection(),
    new PigmentsProjection(),
  ] as TopicProjection[];
}
