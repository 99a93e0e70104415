import { SIGNAL_CLEARED_V1, SIGNAL_RAISED_V1 } from '@smp/contracts';
import type { PigmentSignal } from '@smp/read-models';
import { signalTable } from '@smp/statistics';
import { diff } from './signal-watcher.service.js';

/** Real signal rows from the statistics: P2 has most of the allergies. */
const rows = (allergiesOfP2: number): PigmentSignal[] =>
  signalTable([
    { subject: 'PIG-00001', category: 'inflammation', reports: 10 },
    { subject: 'PIG-00001', category: 'allergic_reaction', reports: 1 },
    { subject: 'PIG-00002', category: 'allergic_reaction', reports: allergiesOfP2 },
    { subject: 'PIG-00002', category: 'inflammation', reports: 2 },
  ]).map((row) => ({
    ...row,
    manufacturer: null,
    product: null,
    batch: null,
    methods: [
      ...(row.signals.prr ? ['evans' as const] : []),
      ...(row.signals.ror ? ['ror' as const] : []),
      ...(row.signals.ic ? ['ic' as const] : []),
    ],
  }));

describe(diff.name, () => {
  it('raises a signal the first time a pigment × category meets a criterion, with its table', () => {
    const transitions = diff(rows(12), new Map());
    const raised = transitions.find((t) => t.data.pigmentId === 'PIG-00002' && t.data.category === 'allergic_reaction');
    expect(raised).toMatchObject({ type: SIGNAL_RAISED_V1, data: { a: 12, b: 2, c: 1, d: 10 } });
    expect(raised!.data.methods).toContain('evans');
  });

  it('says nothing while a raised signal still meets a criterion', () => {
    const now = rows(12);
    const prior = new Map(now.filter((row) => row.methods.length > 0).map((row) => [`${row.subject}\u0000${row.category}`, row.methods]));
    expect(diff(now, prior)).toEqual([]);
  });

  it('clears a raised signal that meets no criterion any more, or whose reports are gone', () => {
    const prior = new Map([
      ['PIG-00002\u0000allergic_reaction', ['evans']],
      ['PIG-00009\u0000scarring', ['ic']],
    ]);
    const transitions = diff(rows(0), prior);
    expect(transitions.filter((t) => t.type === SIGNAL_CLEARED_V1).map((t) => `${t.data.pigmentId}/${t.data.category}`)).toEqual([
      'PIG-00002/allergic_reaction',
      'PIG-00009/scarring',
    ]);
    for (const cleared of transitions.filter((t) => t.type === SIGNAL_CLEARED_V1)) expect(cleared.data.methods).toEqual([]);
  });
});
