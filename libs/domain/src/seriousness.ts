import type { SideEffectCategory } from './side-effect.js';

export interface SeriousnessFacts {
  effects: ReadonlyArray<{ category: SideEffectCategory; persistent?: boolean }>;
  hospitalized?: boolean;
  medicalIntervention?: boolean;
  lifeThreatening?: boolean;
  death?: boolean;
  disability?: boolean;
}

export const SERIOUS_REASONS = [
  'death',
  'life_threatening',
  'hospitalization',
  'disability',
  'infection',
  'significant_disfigurement',
  'medical_intervention',
] as const;
export type SeriousReason = (typeof SERIOUS_REASONS)[number];

/**
 * MoCRA (2022) seriousness: any infection, and a persistent alteration of
 * appearance other than as intended (persistent migration or discoloration,
 * or scarring), count as serious as well as the classic outcomes.
 */
export function seriousReasons(facts: SeriousnessFacts): SeriousReason[] {
  const reasons: SeriousReason[] = [];
  if (facts.death) reasons.push('death');
  if (facts.lifeThreatening) reasons.push('life_threatening');
  if (facts.hospitalized) reasons.push('hospitalization');
  if (facts.disability) reasons.push('disability');
  if (facts.effects.some((effect) => effect.category === 'infection')) reasons.push('infection');
  const disfiguring = new Set<SideEffectCategory>(['pigment_migration', 'discoloration', 'scarring']);
  if (facts.effects.some((effect) => disfiguring.has(effect.category) && effect.persistent)) {
    reasons.push('significant_disfigurement');
  }
  if (facts.medicalIntervention) reasons.push('medical_intervention');
  return reasons;
}
