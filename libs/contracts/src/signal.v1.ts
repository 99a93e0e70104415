import { IsArray, IsIn, IsInt, IsNumber, IsOptional, Matches, Min } from 'class-validator';
import { SIDE_EFFECT_CATEGORIES, type SideEffectCategory } from '@smp/domain';

export const SIGNAL_RAISED_V1 = 'org.smpvigil.signal.raised.v1';
export const SIGNAL_CLEARED_V1 = 'org.smpvigil.signal.cleared.v1';

export const SIGNAL_METHODS = ['evans', 'ror', 'ic'] as const;
export type SignalMethod = (typeof SIGNAL_METHODS)[number];

/**
 * A disproportionality signal for one pigment batch × category changed state,
 * on `smp.signals.v1` keyed by pigment id: raised when it first meets a
 * criterion (Evans, ROR or IC), cleared when it meets none any more. Figures
 * are over all procedure months, as of `evaluatedAt`.
 */
export class SignalChangedV1 {
  @Matches(/^PIG-\d{5,}$/)
  pigmentId: string;

  @IsIn(SIDE_EFFECT_CATEGORIES)
  category: SideEffectCategory;

  /** The criteria met now (empty when cleared). */
  @IsArray()
  @IsIn(SIGNAL_METHODS, { each: true })
  methods: SignalMethod[];

  @IsInt()
  @Min(0)
  a: number;

  @IsInt()
  @Min(0)
  b: number;

  @IsInt()
  @Min(0)
  c: number;

  @IsInt()
  @Min(0)
  d: number;

  @IsOptional()
  @IsNumber()
  prr?: number;

  @IsOptional()
  @IsNumber()
  ror?: number;

  @IsOptional()
  @IsNumber()
  ic025?: number;

  @Matches(/^\d{4}-\d{2}-\d{2}T/)
  evaluatedAt: string;
}
