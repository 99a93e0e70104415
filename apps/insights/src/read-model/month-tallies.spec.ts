import fc from 'fast-check';
import { SIDE_EFFECT_CATEGORIES } from '@smp/domain';
import { Tally, TallyLayout } from './month-tallies.js';

describe('TallyLayout', () => {
  const { PER_CATEGORY, ACROSS_CATEGORIES } = TallyLayout;

  it('gives a subject of a tally across categories four numbers, not a pair per category', () => {
    expect(ACROSS_CATEGORIES.stride).toBe(4);
    expect(PER_CATEGORY.stride).toBe(2 + 2 * SIDE_EFFECT_CATEGORIES.length);
  });

  it('refuses to read a category of a tally across categories, or no category of one per category', () => {
    const values = new Int32Array(PER_CATEGORY.stride);
    expect(() => ACROSS_CATEGORIES.reportsAt(values, 0, 'infection')).toThrow('tally counted across categories, asked for infection');
    expect(() => PER_CATEGORY.reportsAt(values, 0)).toThrow('tally counted per category, asked for none');
  });

  it('reads back what a source row wrote in its slot, and sums subjects slot by slot with the presence masks or-ed', () => {
    const row = fc.record({
      subject: fc.integer({ min: 0, max: 3 }),
      category: fc.constantFrom(...SIDE_EFFECT_CATEGORIES),
      reports: fc.integer({ min: 0, max: 1000 }),
      serious: fc.integer({ min: 0, max: 1000 }),
    });
    fc.assert(
      fc.property(fc.boolean(), fc.array(row, { maxLength: 12 }), fc.array(row, { maxLength: 12 }), (across, first, second) => {
        const layout = across ? ACROSS_CATEGORIES : PER_CATEGORY;
        const tallyOf = (rows: typeof first) => {
          const values = new Int32Array(4 * layout.stride);
          for (const { subject, category, reports, serious } of rows) {
            const slot = layout.slotOf(across ? null : category)!;
            values[subject * layout.stride + layout.reportsField(slot)]! += reports;
            values[subject * layout.stride + layout.seriousField(slot)]! += serious;
            values[subject * layout.stride + 1]! |= 2 << slot;
          }
          return values;
        };
        const sum = tallyOf(first);
        layout.add(sum, tallyOf(second));
        for (let subject = 0; subject < 4; subject++) {
          for (const category of across ? [undefined] : SIDE_EFFECT_CATEGORIES) {
            const rows = [...first, ...second].filter((r) => r.subject === subject && (across || r.category === category));
            const tally = new Tally(sum, subject * layout.stride, layout);
            expect([subject, category, tally.reports(category), tally.serious(category), tally.hasReports(category)]).toEqual([
              subject,
              category,
              rows.reduce((total, r) => total + r.reports, 0),
              rows.reduce((total, r) => total + r.serious, 0),
              rows.length > 0,
            ]);
          }
        }
      }),
      { numRuns: 500 },
    );
  });
});
