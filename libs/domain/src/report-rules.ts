import { isIsoDate } from './calendar.js';

export interface DatedReport {
  procedureDate: string;
  effects: ReadonlyArray<{ category: string; onsetDate: string }>;
}

export interface RuleViolation {
  field: string;
  message: string;
}

/**
 * Date rules a schema cannot express: nothing in the future, no onset before
 * the procedure, no category twice. Returns every violation, not the first.
 */
export function reportRuleViolations(report: DatedReport, today: string): RuleViolation[] {
  const violations: RuleViolation[] = [];
  if (isIsoDate(report.procedureDate) && report.procedureDate > today) {
    violations.push({ field: 'procedureDate', message: `procedureDate ${report.procedureDate} is in the future` });
  }
  const seen = new Set<string>();
  report.effects.forEach((effect, index) => {
    const field = `effects[${index}]`;
    if (isIsoDate(effect.onsetDate) && effect.onsetDate > today) {
      violations.push({ field: `${field}.onsetDate`, message: `onsetDate ${effect.onsetDate} is in the future` });
    }
    if (isIsoDate(effect.onsetDate) && isIsoDate(report.procedureDate) && effect.onsetDate < report.procedureDate) {
      violations.push({
        field: `${field}.onsetDate`,
        message: `onsetDate ${effect.onsetDate} is before the procedure date ${report.procedureDate}`,
      });
    }
    if (seen.has(effect.category)) {
      violations.push({ field: `${field}.category`, message: `category ${effect.category} is reported twice` });
    }
    seen.add(effect.category);
  });
  return violations;
}
