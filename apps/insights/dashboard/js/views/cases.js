// The serious-case deadline list, shared by the clinic and regulator views.
import { CATEGORY_LABELS, h, table } from '../dom.js';

const ORDER = { overdue: 0, due: 1, nullified: 2 };

/** Overdue first, then by due date. */
export function sortCases(rows) {
  return [...rows].sort(
    (a, b) =>
      (ORDER[a.status] ?? 3) - (ORDER[b.status] ?? 3) || String(a.reportingDueBy ?? '').localeCompare(String(b.reportingDueBy ?? '')),
  );
}

const STATUS = { overdue: 'overdue', due: 'due', nullified: 'nullified' };

export function casesTable(rows, { clinicColumn = true, names = new Map() } = {}) {
  return table(
    [
      { label: 'Case', header: true, key: 'caseId' },
      ...(clinicColumn ? [{ label: 'Clinic', render: (r) => names.get(r.clinicId) ?? r.clinicId }] : []),
      { label: 'Procedure date', render: (r) => r.procedureDate ?? '' },
      { label: 'Complications', render: (r) => (r.categories ?? []).map((c) => CATEGORY_LABELS[c] ?? c).join(', ') },
      { label: 'Why serious', render: (r) => (r.seriousReasons ?? []).join(', ').replace(/_/g, ' ') },
      { label: 'Due by', render: (r) => r.reportingDueBy ?? '' },
      { label: 'Status', render: (r) => h('span', { class: `status-${r.status}` }, STATUS[r.status] ?? r.status), csv: (r) => r.status },
    ],
    rows,
    {
      caption: `${rows.length} serious case(s), overdue first`,
      tall: true,
      rowClass: (r) => (r.status === 'overdue' ? 'flagged' : undefined),
    },
  );
}
