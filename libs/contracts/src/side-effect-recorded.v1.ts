import { IsBoolean, IsIn, IsOptional, Matches } from 'class-validator';
import { CaseVersionRefV1 } from './case-version-ref.v1.js';
import { OUTCOMES, SEVERITIES, SIDE_EFFECT_CATEGORIES, type Outcome, type Severity, type SideEffectCategory } from '@smp/domain';

export const SIDE_EFFECT_RECORDED_V1 = 'org.smpvigil.side-effect.recorded.v1';
/** Same data: the side effect as it stood, now withdrawn by a follow-up or by nullification of the case. */
export const SIDE_EFFECT_RETRACTED_V1 = 'org.smpvigil.side-effect.retracted.v1';

const DATE = /^\d{4}-\d{2}-\d{2}$/;

/**
 * One side effect of one version of a case (recorded: present in that version;
 * retracted: withdrawn in that version, or the case was nullified), as published on
 * `smp.side-effects.v1` (CloudEvents binary mode; this is the `data`).
 * It carries no personal data: no contact, no narrative, no patient details.
 */
export class SideEffectRecordedV1 extends CaseVersionRefV1 {
  @IsIn(SIDE_EFFECT_CATEGORIES)
  category: SideEffectCategory;

  @IsIn(SEVERITIES)
  severity: Severity;

  @IsBoolean()
  serious: boolean;

  @Matches(DATE)
  procedureDate: string;

  @Matches(DATE)
  onsetDate: string;

  /** The case's outcome as of this version, when the reporter gave one (added later: optional, so older events still pass). */
  @IsOptional()
  @IsIn(OUTCOMES)
  outcome?: Outcome;

  /**
   * This side effect counts its case once in figures across categories: the first of the version's side effects in
   * category code order. Reports, not complications, per clinic, month, pigment or outcome add up these. (Added later:
   * optional, so older events still pass: the projection then counts the case by this rule from its stored states,
   * recountCases in libs/read-models.)
   */
  @IsOptional()
  @IsBoolean()
  countsCase?: boolean;

  /** Likewise per severity: the first of the version's side effects with this severity, in category code order. */
  @IsOptional()
  @IsBoolean()
  countsCaseForSeverity?: boolean;
}
