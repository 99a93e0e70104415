/* global document, Node, URL, Blob, setTimeout */
// Small DOM helpers: elements are built with textContent only, never innerHTML, so no figure or name can inject markup.

/** h('p', { class: 'x', onclick: fn }, 'text', child, …) */
export function h(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes ?? {})) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith('on') && typeof value === 'function') element.addEventListener(name.slice(2), value);
    else if (name === 'dataset') Object.assign(element.dataset, value);
    else element.setAttribute(name, value === true ? '' : String(value));
  }
  append(element, children);
  return element;
}

function append(element, children) {
  for (const child of children.flat(Infinity)) {
    if (child === undefined || child === null || child === false) continue;
    element.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

export function clear(element, ...children) {
  element.replaceChildren();
  append(element, children);
  return element;
}

export function loading(text = 'Loading…') {
  return h('p', { class: 'loading', role: 'status' }, text);
}

export function empty(text) {
  return h('p', { class: 'empty' }, text);
}

export function failure(error) {
  return h('p', { class: 'notice danger', role: 'alert' }, error?.message ?? String(error));
}

let ids = 0;
export function uniqueId(prefix) {
  ids += 1;
  return `${prefix}-${ids}`;
}

/** A labelled <select>. options: [[value, label], …] */
export function selectField(label, options, { value, name, hint } = {}) {
  const id = uniqueId(name ?? 'select');
  const select = h(
    'select',
    { id, name },
    options.map(([v, text]) => h('option', { value: v, selected: v === value }, text)),
  );
  return {
    field: h('div', { class: 'field' }, h('label', { for: id }, label), select, hint ? h('p', { class: 'hint' }, hint) : null),
    select,
  };
}

export function inputField(label, { type = 'text', name, value, hint, attributes = {} } = {}) {
  const id = uniqueId(name ?? 'input');
  const hintId = hint ? `${id}-hint` : undefined;
  const input = h('input', { id, name, type, value, 'aria-describedby': hintId, ...attributes });
  return {
    field: h('div', { class: 'field' }, h('label', { for: id }, label), input, hint ? h('p', { class: 'hint', id: hintId }, hint) : null),
    input,
  };
}

/**
 * A table from columns [{ key, label, num, render(row) → node|string, csv(row) → value }] and rows.
 * Returns the wrapper; the rows and columns travel with it for the CSV download of what is on screen.
 */
export function table(columns, rows, { caption, tall = false, rowClass, sort } = {}) {
  const head = h(
    'tr',
    {},
    columns.map((column) => {
      const sortable = sort && column.sortKey;
      const active = sortable && sort.key === column.sortKey;
      return h(
        'th',
        {
          scope: 'col',
          class: column.num ? 'num' : undefined,
          'aria-sort': active ? (sort.order === 'asc' ? 'ascending' : 'descending') : undefined,
        },
        sortable
          ? h(
              'button',
              { type: 'button', class: 'sort', onclick: () => sort.onSort(column.sortKey) },
              column.label,
              active ? (sort.order === 'asc' ? ' ▲' : ' ▼') : '',
              h('span', { class: 'visually-hidden' }, ` (sort by ${column.label})`),
            )
          : column.label,
      );
    }),
  );
  const body = rows.map((row) =>
    h(
      'tr',
      { class: rowClass?.(row) },
      columns.map((column) => {
        const content = column.render ? column.render(row) : row[column.key];
        return h(
          column.header ? 'th' : 'td',
          { class: column.num ? 'num' : undefined, scope: column.header ? 'row' : undefined },
          content ?? '',
        );
      }),
    ),
  );
  const element = h('table', {}, caption ? h('caption', {}, caption) : null, h('thead', {}, head), h('tbody', {}, body));
  const wrapper = h(
    'div',
    { class: `table-wrap${tall ? ' tall' : ''}`, tabindex: '0', role: 'region', 'aria-label': caption ?? 'table' },
    element,
  );
  wrapper.csv = () => [columns.map((column) => column.label), ...rows.map((row) => columns.map((column) => csvValue(column, row)))];
  return wrapper;
}

function csvValue(column, row) {
  if (column.csv) return column.csv(row);
  const value = column.render ? column.render(row) : row[column.key];
  return value instanceof Node ? value.textContent : value;
}

export const CATEGORY_LABELS = {
  infection: 'Infection',
  allergic_reaction: 'Allergic reaction',
  pigment_migration: 'Pigment migration',
  discoloration: 'Discoloration',
  inflammation: 'Inflammation',
  scarring: 'Scarring',
  other: 'Other',
};
export const CATEGORIES = Object.keys(CATEGORY_LABELS);

export const BAND_LABELS = {
  within: 'within the limits',
  above_95: 'above the 95% limit',
  above_99_8: 'above the 99.8% limit',
  below_95: 'below the 95% limit',
  below_99_8: 'below the 99.8% limit',
};

export function band(value) {
  if (!value) return h('span', { class: 'empty' }, 'no procedures');
  return h('span', { class: `band band-${value}` }, BAND_LABELS[value] ?? value);
}

const numberFormat = new Intl.NumberFormat('en-GB');
export function count(value) {
  return value === null || value === undefined ? '' : numberFormat.format(value);
}

export function rate(value, digits = 1) {
  return value === null || value === undefined ? '' : value.toFixed(digits);
}

export function interval(ci, digits = 1) {
  return ci ? `${ci.lower.toFixed(digits)}–${ci.upper.toFixed(digits)}` : '';
}

/** A button that downloads the given table wrappers' rows as one CSV file. */
export function csvButton(label, filename, tables) {
  return h(
    'button',
    {
      type: 'button',
      class: 'secondary',
      onclick: () => {
        const rows = tables().flatMap((wrapper, index) => (index === 0 ? wrapper.csv() : [[], ...wrapper.csv()]));
        download(filename, toCsv(rows), 'text/csv;charset=utf-8');
      },
    },
    label,
  );
}

export function toCsv(rows) {
  return rows.map((row) => row.map(csvCell).join(',')).join('\r\n') + '\r\n';
}

function csvCell(value) {
  const text = value === null || value === undefined ? '' : String(value);
  // A leading = + - @ would be a formula in a spreadsheet.
  const safe = /^[=+\-@]/.test(text) && !/^-?\d/.test(text) ? `'${text}` : text;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

export function download(filename, content, type) {
  const url = URL.createObjectURL(new Blob([content], { type }));
  const link = h('a', { href: url, download: filename, hidden: true });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}
