// The public view: privacy-safe figures per clinic and per pigment, with what they mean in plain words.
import { insights, insightsAll } from '../api.js';
import { CATEGORIES, CATEGORY_LABELS, clear, count, csvButton, empty, failure, h, loading, rate, table } from '../dom.js';

const REASONS = {
  small_count: 'hidden: between 1 and 10',
  complementary: 'hidden: it would reveal a small number by subtraction',
};

/** A figure, or "hidden" with its reason when the API withheld it. */
function figure(value, reason, format = count) {
  if (reason)
    return h(
      'span',
      { class: 'suppressed', 'data-suppressed': reason, title: REASONS[reason] ?? 'hidden' },
      'hidden',
      h('span', { class: 'visually-hidden' }, ` (${REASONS[reason] ?? reason})`),
    );
  if (value === null || value === undefined) return h('span', { class: 'suppressed', 'data-suppressed': 'withheld' }, 'hidden');
  return format(value);
}

function csvFigure(value, reason) {
  return reason || value === null || value === undefined ? 'hidden' : value;
}

function columnsFor(kind, categories) {
  const name =
    kind === 'clinics'
      ? [
          { label: 'Clinic', header: true, render: (r) => r.name ?? r.clinicId },
          { label: 'Country', render: (r) => r.country ?? '' },
        ]
      : [
          { label: 'Manufacturer', header: true, render: (r) => r.manufacturer ?? '' },
          { label: 'Product', render: (r) => r.product ?? '' },
        ];
  return [
    ...name,
    {
      label: 'Procedures',
      num: true,
      render: (r) => figure(r.procedures, r.suppressed?.procedures),
      csv: (r) => csvFigure(r.procedures, r.suppressed?.procedures),
    },
    {
      label: 'Complications reported',
      num: true,
      render: (r) => figure(r.reports, r.suppressed?.reports),
      csv: (r) => csvFigure(r.reports, r.suppressed?.reports),
    },
    {
      label: 'Per 1,000 procedures',
      num: true,
      render: (r) => figure(r.ratePer1000, r.ratePer1000 === null ? (r.suppressed?.reports ?? r.suppressed?.procedures) : null, rate),
      csv: (r) => csvFigure(r.ratePer1000, null),
    },
    ...categories.map((category) => ({
      label: CATEGORY_LABELS[category],
      num: true,
      render: (r) => figure(r.categories?.[category]?.reports, r.categories?.[category]?.suppressed),
      csv: (r) => csvFigure(r.categories?.[category]?.reports, r.categories?.[category]?.suppressed),
    })),
  ];
}

function explanations(network, suppression) {
  const example = network?.ratePer1000 ?? 3.2;
  const perHundred = (example / 10).toFixed(2).replace(/0$/, '');
  const min = suppression?.threshold?.min ?? 1;
  const max = suppression?.threshold?.max ?? 10;
  return h(
    'section',
    { class: 'panel', 'aria-labelledby': 'meaning' },
    h('h2', { id: 'meaning' }, 'What these figures mean'),
    h('h3', {}, `“${rate(example)} per 1,000 procedures”`),
    h(
      'p',
      {},
      `For every 1,000 scalp micropigmentation sessions, about ${rate(example)} complications were reported. ` +
        `That is ${perHundred} in 100, or roughly 1 in ${Math.max(1, Math.round(1000 / Math.max(example, 0.001))).toLocaleString('en-GB')}. ` +
        'Complications are counted by the month of the procedure, and divided by the procedures the clinics recorded in those months. ' +
        'A report naming two complications (an infection and scarring, say) counts once for each.',
    ),
    h('h3', {}, 'The interval'),
    h(
      'p',
      {},
      'Where a range is given (for example 1.9–5.1), it is the 95% interval: the true rate is very likely inside it. ' +
        'A clinic with few procedures has a wide range, because a single report moves its rate a lot; compare clinics by their ranges, not only by their rates.',
    ),
    h('h3', {}, 'Why some numbers are hidden'),
    h(
      'p',
      {},
      `Counts from ${min} to ${max} are hidden, and so is any rate worked out from one, because a handful of reports from one clinic ` +
        'could point to the people behind them; 0 is shown, as it points to nobody. ' +
        (suppression?.complementary === false
          ? ''
          : 'Sometimes a larger figure is hidden as well, because the small one could otherwise be worked out by subtracting the shown figures from a total.'),
    ),
    h(
      'p',
      { class: 'hint' },
      'These are reported complications: a clinic whose clients report diligently can look worse than one whose clients do not.',
    ),
  );
}

export async function renderPublicView(main) {
  clear(main, h('h1', {}, 'Scalp micropigmentation: complication rates'), loading('Loading the figures…'));
  let clinics;
  let pigments;
  try {
    [clinics, pigments] = await Promise.all([insightsAll('/v1/public/clinics'), insights('/v1/public/pigments')]);
  } catch (error) {
    clear(main, h('h1', {}, 'Scalp micropigmentation: complication rates'), failure(error));
    return;
  }
  const network = clinics.network;
  const categories = CATEGORIES;
  const clinicTable = clinics.rows.length
    ? table(columnsFor('clinics', categories), clinics.rows, {
        caption: `Complications reported per clinic, procedures of ${clinics.year ?? 'all years'}`,
      })
    : null;
  const pigmentTable = pigments.rows.length
    ? table(columnsFor('pigments', categories), pigments.rows, {
        caption: `Complications reported per pigment (manufacturer and product), procedures of ${pigments.year ?? 'all years'}`,
      })
    : null;
  clear(
    main,
    h('h1', {}, 'Scalp micropigmentation: complication rates'),
    h(
      'p',
      {},
      'Before choosing a clinic, look at how often its clients report complications, and which pigments they concern. ',
      h('a', { href: '/report/' }, 'Had a complication yourself? Report it here.'),
    ),
    network
      ? h(
          'p',
          { class: 'notice' },
          `Across the whole network${clinics.year ? ` in ${clinics.year}` : ''}: ${count(network.procedures)} procedures, ${count(network.reports)} complications reported, `,
          h('strong', {}, `${rate(network.ratePer1000)} per 1,000 procedures`),
          '.',
        )
      : null,
    explanations(network, clinics.suppression),
    h(
      'section',
      { class: 'panel', 'aria-labelledby': 'per-clinic' },
      h(
        'div',
        { class: 'panel-head' },
        h('h2', { id: 'per-clinic' }, 'Per clinic'),
        clinicTable ? csvButton('Download CSV', 'clinics.csv', () => [clinicTable]) : null,
      ),
      clinicTable ?? empty('No clinic has recorded procedures yet.'),
    ),
    h(
      'section',
      { class: 'panel', 'aria-labelledby': 'per-pigment' },
      h(
        'div',
        { class: 'panel-head' },
        h('h2', { id: 'per-pigment' }, 'Per pigment'),
        pigmentTable ? csvButton('Download CSV', 'pigments.csv', () => [pigmentTable]) : null,
      ),
      pigmentTable ?? empty('No pigment has recorded procedures yet.'),
    ),
  );
}
