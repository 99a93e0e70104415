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
