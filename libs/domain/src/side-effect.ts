/** Complication categories, as the API spells them (PRODUCT.md). */
export const SIDE_EFFECT_CATEGORIES = [
  'infection',
  'allergic_reaction',
  'pigment_migration',
  'discoloration',
  'inflammation',
  'scarring',
  'other',
] as const;
export type SideEffectCategory = (typeof SIDE_EFFECT_CATEGORIES)[number];

export const SEVERITIES = ['mild', 'moderate', 'severe'] as const;
export type Severity = (typeof SEVERITIES)[number];

export const REPORTER_TYPES = ['client', 'clinic', 'practitioner', 'physician'] as const;
export type ReporterType = (typeof REPORTER_TYPES)[number];

export const SEXES = ['female', 'male', 'other', 'unknown'] as const;
export type Sex = (typeof SEXES)[number];

export const SKIN_CONDITIONS = [
  'psoriasis',
  'eczema',
  'active_scalp_infection',
  'scarring_tendency',
  'bleeding_disorder',
  'other',
] as const;
export type SkinCondition = (typeof SKIN_CONDITIONS)[number];

export const OUTCOMES = ['recovered', 'recovering', 'not_recovered', 'recovered_with_sequelae', 'unknown'] as const;
export type Outcome = (typeof OUTCOMES)[number];
