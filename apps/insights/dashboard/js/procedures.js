// Recording procedures (the denominators) from the clinic view: one entry by form, or many from a CSV file.
// Intake validates every entry; a rejected batch records nothing, and each bad row gets its own message.
import { ApiError, intake } from './api.js';
import { clear, h, inputField, table } from './dom.js';

const COLUMNS = ['date', 'pigmentId', 'count', 'sessionNumber'];
// Intake takes up to 1,000 entries a call, but its 64 KiB body limit fits about 800 of them: 500 leaves room.
const BATCH = 500;

/** Parses CSV text (RFC 4180: quotes, doubled quotes, CRLF) into rows of cells. */
export function parseCsv(text) {
  const rows = [];
  let row = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i += 1) {
    const char = text[i];
    if (quoted) {
      if (char === '"' && text[i + 1] === '"') {
        cell += '"';
        i += 1;
      } else if (char === '"') quoted = false;
      else cell += char;
    } else if (char === '"') quoted = true;
    else if (char === ',') {
      row.push(cell);
      cell = '';
    } else if (char === '\n' || char === '\r') {
      if (char === '\r' && text[i + 1] === '\n') i += 1;
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
    } else cell += char;
  }
  if (cell !== '' || row.length > 0) {
    row.push(cell);
    rows.push(row);
  }
  return rows.filter((r) => r.some((c) => c.trim() !== ''));
}

/** CSV rows → entries for the API, with the file line of each; problems found before sending, per line. */
export function entriesFromCsv(text) {
  const rows = parseCsv(text.replace(/^\uFEFF/, ''));
  if (rows.length === 0) return { entries: [], problems: [{ line: 1, message: 'The file is empty.' }] };
  const header = rows[0].map((c) => c.trim());
  const missing = ['date', 'pigmentId', 'count'].filter((column) => !header.includes(column));
  if (missing.length) {
    return {
      entries: [],
      problems: [{ line: 1, message: `The first line must name the columns ${COLUMNS.join(', ')}; missing: ${missing.join(', ')}.` }],
    };
  }
  const entries = [];
  const problems = [];
  rows.slice(1).forEach((cells, index) => {
    const line = index + 2;
    const value = (column) => (cells[header.indexOf(column)] ?? '').trim();
    const entry = { date: value('date'), pigmentId: value('pigmentId'), count: toNumber(value('count')) };
    const session = value('sessionNumber');
    if (header.includes('sessionNumber') && session !== '') entry.sessionNumber = toNumber(session);
    entries.push({ line, entry });
  });
  if (entries.length === 0) problems.push({ line: 2, message: 'The file has a header line but no procedures.' });
  return { entries, problems };
}

// Left to intake to judge: a non-number is sent as given and comes back as a field error.
function toNumber(text) {
  return /^-?\d+(\.\d+)?$/.test(text) ? Number(text) : text;
}

/** The problem-details errors of one batch, per file line: "procedures[3].date" → the line of the 4th entry. */
function problemsByLine(error, batch) {
  const problems = [];
  for (const fieldError of error.errors) {
    const match = /^procedures\[(\d+)\]\.?(.*)$/.exec(fieldError.field ?? '');
    if (match && batch[Number(match[1])])
      problems.push({ line: batch[Number(match[1])].line, field: match[2], message: fieldError.message });
    else problems.push({ line: null, field: fieldError.field, message: fieldError.message });
  }
  if (problems.length === 0) problems.push({ line: null, message: error.message });
  return problems;
}

function problemTable(problems) {
  return table(
    [
      { label: 'Line', num: true, render: (p) => p.line ?? '' },
      { label: 'Column', render: (p) => p.field ?? '' },
      { label: 'Problem', render: (p) => p.message },
    ],
    problems,
    { caption: 'Rows that could not be recorded' },
  );
}

export function proceduresPanel(clinicId) {
  const result = h('div', { 'aria-live': 'polite' });
  const date = inputField('Date', {
    type: 'date',
    name: 'date',
    attributes: { required: true, max: new Date().toISOString().slice(0, 10) },
  });
  const pigment = inputField('Pigment ID', {
    name: 'pigmentId',
    hint: 'As registered, e.g. PIG-00004',
    attributes: { required: true, autocomplete: 'off' },
  });
  const number = inputField('Procedures that day', {
    type: 'number',
    name: 'count',
    value: '1',
    attributes: { min: '1', max: '10000', required: true },
  });
  const session = inputField('Session number (optional)', { type: 'number', name: 'sessionNumber', attributes: { min: '1', max: '20' } });
  const fields = { date: date.input, pigmentId: pigment.input, count: number.input, sessionNumber: session.input };

  const form = h(
    'form',
    { novalidate: true, 'aria-labelledby': 'record-one' },
    h('h3', { id: 'record-one' }, 'One entry'),
    h('div', { class: 'grid' }, date.field, pigment.field, number.field, session.field),
    h('p', {}, h('button', { type: 'submit' }, 'Record procedures')),
  );
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    for (const input of Object.values(fields)) {
      input.removeAttribute('aria-invalid');
      input.parentElement.querySelector('.field-error')?.remove();
    }
    const entry = { date: fields.date.value, pigmentId: fields.pigmentId.value.trim(), count: toNumber(fields.count.value.trim()) };
    if (fields.sessionNumber.value.trim() !== '') entry.sessionNumber = toNumber(fields.sessionNumber.value.trim());
    const button = form.querySelector('button');
    button.disabled = true;
    try {
      const recorded = await intake(`/v1/clinics/${encodeURIComponent(clinicId)}/procedures`, { procedures: [entry] });
      const ref = recorded.procedures[0].procedureRef;
      clear(
        result,
        h(
          'p',
          { class: 'notice success', role: 'status' },
          `Recorded ${entry.count} procedure(s) on ${entry.date}. Reference for the client: `,
          h('span', { class: 'token' }, ref),
        ),
      );
    } catch (error) {
      const unplaced = [];
      for (const fieldError of error.errors ?? []) {
        const name = /^procedures\[0\]\.(\w+)$/.exec(fieldError.field ?? '')?.[1];
        const input = fields[name];
        if (!input) {
          unplaced.push(fieldError.message);
          continue;
        }
        const id = `${input.id}-error`;
        input.setAttribute('aria-invalid', 'true');
        input.setAttribute('aria-describedby', [input.getAttribute('aria-describedby'), id].filter(Boolean).join(' '));
        input.parentElement.append(h('p', { class: 'field-error', id }, fieldError.message));
      }
      clear(result, h('p', { class: 'notice danger', role: 'alert' }, error.message, unplaced.length ? ` ${unplaced.join('; ')}` : ''));
      form.querySelector('[aria-invalid="true"]')?.focus();
    } finally {
      button.disabled = false;
    }
  });

  const fileId = 'procedures-csv';
  const file = h('input', { id: fileId, type: 'file', accept: '.csv,text/csv', 'aria-describedby': `${fileId}-hint` });
  const upload = h(
    'form',
    { novalidate: true, 'aria-labelledby': 'record-csv' },
    h('h3', { id: 'record-csv' }, 'From a CSV file'),
    h(
      'div',
      { class: 'field' },
      h('label', { for: fileId }, 'CSV file'),
      file,
      h(
        'p',
        { class: 'hint', id: `${fileId}-hint` },
        'First line: date,pigmentId,count,sessionNumber (sessionNumber may be left empty). One line per day and pigment, e.g. 2026-09-10,PIG-00004,3,1',
      ),
    ),
    h('p', {}, h('button', { type: 'submit' }, 'Upload and record')),
  );
  upload.addEventListener('submit', async (event) => {
    event.preventDefault();
    const chosen = file.files?.[0];
    if (!chosen) {
      clear(result, h('p', { class: 'notice danger', role: 'alert' }, 'Choose a CSV file first.'));
      file.focus();
      return;
    }
    const button = upload.querySelector('button');
    button.disabled = true;
    clear(result, h('p', { class: 'loading', role: 'status' }, 'Recording…'));
    try {
      const { entries, problems } = entriesFromCsv(await chosen.text());
      if (problems.length)
        return void clear(result, h('p', { class: 'notice danger', role: 'alert' }, 'Nothing was recorded.'), problemTable(problems));
      // Each call is all or nothing.
      let recorded = 0;
      for (let start = 0; start < entries.length; start += BATCH) {
        const batch = entries.slice(start, start + BATCH);
        try {
          await intake(`/v1/clinics/${encodeURIComponent(clinicId)}/procedures`, { procedures: batch.map((item) => item.entry) });
          recorded += batch.length;
        } catch (error) {
          if (!(error instanceof ApiError) || error.status === 0) throw error;
          const note = recorded
            ? `Lines 2 to ${batch[0].line - 1} were recorded; from line ${batch[0].line} on, nothing was recorded.`
            : 'Nothing was recorded.';
          return void clear(
            result,
            h('p', { class: 'notice danger', role: 'alert' }, `${error.message} ${note}`),
            problemTable(problemsByLine(error, batch)),
          );
        }
      }
      clear(result, h('p', { class: 'notice success', role: 'status' }, `Recorded all ${recorded} lines of ${chosen.name}.`));
    } catch (error) {
      clear(result, h('p', { class: 'notice danger', role: 'alert' }, error.message));
    } finally {
      button.disabled = false;
    }
  });

  return h(
    'section',
    { class: 'panel', 'aria-labelledby': 'record-procedures' },
    h('h2', { id: 'record-procedures' }, 'Record procedures'),
    h(
      'p',
      { class: 'hint' },
      'The procedures you perform are what your rates are divided by: record every one, not only those with a complication.',
    ),
    h('div', { class: 'two-col' }, form, upload),
    result,
  );
}
