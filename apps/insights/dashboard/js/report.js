/* global document, CSS, crypto, navigator */
// The report form: a client (or clinic, practitioner, physician) reports a complication through the intake API.
// Intake validates; its problem-details `errors` are shown beside the fields they name (e.g. effects[0].onsetDate).
import { ApiError, intake } from './api.js';
import { CATEGORY_LABELS, clear, h, uniqueId } from './dom.js';

const root = document.getElementById('report-root');

const REPORTERS = [
  ['client', 'I had the procedure'],
  ['clinic', 'The clinic that did it'],
  ['practitioner', 'Another practitioner'],
  ['physician', 'A doctor'],
];
const SEVERITIES = [
  ['mild', 'Mild: a nuisance'],
  ['moderate', 'Moderate: it affects daily life'],
  ['severe', 'Severe: it needed urgent care or is very distressing'],
];
const CATEGORY_HINTS = {
  infection: 'pus, warmth, spreading redness, fever',
  allergic_reaction: 'itching, rash or swelling from the pigment or a numbing cream',
  pigment_migration: 'dots spreading or blurring, the hairline losing its edge',
  discoloration: 'fading or a change of tone, e.g. a bluish tint',
  inflammation: 'redness or swelling beyond the normal 1–2 days',
  scarring: 'raised or textured skin',
  other: 'anything else; describe it below',
};
const OUTCOMES = [
  ['', 'Choose…'],
  ['recovering', 'Getting better'],
  ['recovered', 'Fully healed'],
  ['recovered_with_sequelae', 'Healed, but with a lasting mark or change'],
  ['not_recovered', 'Not better yet'],
  ['unknown', 'I do not know'],
];
const SKIN = [
  ['psoriasis', 'Psoriasis'],
  ['eczema', 'Eczema'],
  ['active_scalp_infection', 'A scalp infection at the time'],
  ['scarring_tendency', 'Tendency to scar'],
  ['bleeding_disorder', 'Bleeding disorder'],
  ['other', 'Other'],
];

const today = () => new Date().toISOString().slice(0, 10);

/** A labelled control in a container that names its API field, so an error for that field lands beside it. */
function field(path, label, control, { hint, required } = {}) {
  const id = control.id || uniqueId('f');
  control.id = id;
  control.name ||= path;
  const hintId = hint ? `${id}-hint` : null;
  if (hintId) control.setAttribute('aria-describedby', hintId);
  if (required) control.setAttribute('aria-required', 'true');
  return h(
    'div',
    { class: 'field', dataset: { field: path } },
    h('label', { for: id }, label, required ? h('span', { class: 'hint' }, ' (required)') : null),
    hint ? h('p', { class: 'hint', id: hintId }, hint) : null,
    control,
  );
}

function radios(path, legend, options, { required, value } = {}) {
  const name = uniqueId(path);
  return h(
    'fieldset',
    { dataset: { field: path }, 'aria-required': required ? 'true' : undefined },
    h('legend', {}, legend, required ? h('span', { class: 'hint' }, ' (required)') : null),
    h(
      'div',
      { class: 'choices' },
      options.map(([v, text]) => {
        const id = uniqueId(name);
        return h('label', { for: id }, h('input', { type: 'radio', id, name, value: v, checked: v === value }), text);
      }),
    ),
  );
}

function yesNo(path, label) {
  return field(
    path,
    label,
    h(
      'select',
      {},
      [
        ['', 'I do not know'],
        ['true', 'Yes'],
        ['false', 'No'],
      ].map(([v, t]) => h('option', { value: v }, t)),
    ),
  );
}

function effectBlock(index, list) {
  const block = h('div', { class: 'effect', dataset: { effect: '' } });
  const category = h(
    'select',
    {},
    h('option', { value: '' }, 'Choose…'),
    Object.entries(CATEGORY_LABELS).map(([v, t]) => h('option', { value: v }, `${t}: ${CATEGORY_HINTS[v]}`)),
  );
  const onset = h('input', { type: 'date', max: today() });
  const persistent = h('input', { type: 'checkbox' });
  const description = h('textarea', { maxlength: '2000', rows: '3' });
  const remove = h('button', { type: 'button', class: 'secondary' }, 'Remove this complication');
  remove.addEventListener('click', () => {
    block.remove();
    renumber(list);
    list.querySelector('select')?.focus();
  });
  block.append(
    h('h3', {}, 'Complication'),
    h(
      'div',
      { class: 'grid' },
      field(`effects[${index}].category`, 'What kind of complication', category, { required: true }),
      field(`effects[${index}].onsetDate`, 'When did it start', onset, { required: true }),
    ),
    radios(`effects[${index}].severity`, 'How bad is it', SEVERITIES, { required: true }),
    h(
      'div',
      { class: 'field', dataset: { field: `effects[${index}].persistent` } },
      h('label', {}, persistent, ' It is still there, or expected to last'),
    ),
    field(`effects[${index}].description`, 'Describe it in your own words (optional, kept private)', description),
    remove,
  );
  return block;
}

/** After a removal, each block's field names follow its new position, as the API will number them. */
function renumber(list) {
  [...list.querySelectorAll('[data-effect]')].forEach((block, index) => {
    block.querySelector('h3').textContent = `Complication ${index + 1}`;
    for (const element of block.querySelectorAll('[data-field]'))
      element.dataset.field = element.dataset.field.replace(/^effects\[\d+\]/, `effects[${index}]`);
    block.querySelector('button').hidden = list.querySelectorAll('[data-effect]').length === 1;
  });
}

function buildForm() {
  const effects = h('div', { id: 'effects' });
  effects.append(effectBlock(0, effects));
  renumber(effects);
  const addEffect = h('button', { type: 'button', class: 'secondary' }, 'Add another complication');
  addEffect.addEventListener('click', () => {
    const count = effects.querySelectorAll('[data-effect]').length;
    if (count >= 10) return;
    const block = effectBlock(count, effects);
    effects.append(block);
    renumber(effects);
    block.querySelector('select').focus();
  });

  const form = h(
    'form',
    { id: 'report-form', novalidate: true, 'aria-describedby': 'form-errors' },
    h('div', { id: 'form-errors', class: 'form-errors', tabindex: '-1', 'aria-live': 'assertive' }),
    h(
      'fieldset',
      {},
      h('legend', {}, 'The procedure'),
      h(
        'p',
        { class: 'hint' },
        'Give the clinic and the date, or the procedure reference the clinic gave you (then the clinic and date are not needed).',
      ),
      h(
        'div',
        { class: 'grid' },
        field('clinicId', 'Clinic ID', h('input', { type: 'text', autocomplete: 'off', spellcheck: 'false' }), {
          hint: 'On your receipt or aftercare sheet, e.g. CLN-00001',
        }),
        field('procedureDate', 'Date of the procedure', h('input', { type: 'date', max: today() })),
        field('procedureRef', 'Procedure reference (instead)', h('input', { type: 'text', autocomplete: 'off', spellcheck: 'false' }), {
          hint: 'e.g. PR-7KQ2M9XHTA',
        }),
        field('pigmentId', 'Pigment ID (optional)', h('input', { type: 'text', autocomplete: 'off', spellcheck: 'false' }), {
          hint: 'If you know it, e.g. PIG-00004',
        }),
        field('sessionNumber', 'Which session (optional)', h('input', { type: 'number', min: '1', max: '20', inputmode: 'numeric' })),
      ),
    ),
    radios('reporter.type', 'Who is reporting', REPORTERS, { required: true, value: 'client' }),
    h('fieldset', {}, h('legend', {}, 'What happened'), effects, addEffect),
    h(
      'fieldset',
      {},
      h('legend', {}, 'How is it now'),
      h(
        'div',
        { class: 'grid' },
        field(
          'outcome',
          'How is it now',
          h(
            'select',
            {},
            OUTCOMES.map(([v, t]) => h('option', { value: v }, t)),
          ),
        ),
        h(
          'div',
          { class: 'field', dataset: { field: 'medicalIntervention' } },
          h('label', {}, h('input', { type: 'checkbox', name: 'medicalIntervention' }), ' A doctor had to treat it'),
        ),
        h(
          'div',
          { class: 'field', dataset: { field: 'hospitalized' } },
          h('label', {}, h('input', { type: 'checkbox', name: 'hospitalized' }), ' I was admitted to hospital'),
        ),
      ),
    ),
    h(
      'fieldset',
      {},
      h('legend', {}, 'About you (optional)'),
      h(
        'div',
        { class: 'grid' },
        field('patient.ageYears', 'Age', h('input', { type: 'number', min: '0', max: '120', inputmode: 'numeric' })),
        field(
          'patient.sex',
          'Sex',
          h(
            'select',
            {},
            [
              ['', 'Prefer not to say'],
              ['male', 'Male'],
              ['female', 'Female'],
              ['other', 'Other'],
            ].map(([v, t]) => h('option', { value: v }, t)),
          ),
        ),
      ),
      h(
        'fieldset',
        { dataset: { field: 'patient.skinConditions' } },
        h('legend', {}, 'Skin conditions at the time'),
        h(
          'div',
          { class: 'choices' },
          SKIN.map(([v, t]) => h('label', {}, h('input', { type: 'checkbox', name: 'skinConditions', value: v }), t)),
        ),
      ),
      h(
        'div',
        { class: 'grid' },
        yesNo('riskFactors.aftercareFollowed', 'Did you follow the aftercare instructions?'),
        yesNo('riskFactors.sunExposureWithoutProtection', 'Sun on the scalp without protection?'),
        yesNo('riskFactors.patchTestDone', 'Was a patch test done first?'),
      ),
    ),
    h(
      'fieldset',
      {},
      h('legend', {}, 'Your story and how to reach you (optional, kept private)'),
      field('narrative', 'Anything else we should know', h('textarea', { maxlength: '5000', rows: '4' })),
      h(
        'div',
        { class: 'grid' },
        field('reporter.contact.email', 'Email', h('input', { type: 'email', autocomplete: 'email' })),
        field('reporter.contact.phone', 'Phone', h('input', { type: 'tel', autocomplete: 'tel' })),
      ),
    ),
    h('p', {}, h('button', { type: 'submit' }, 'Send the report')),
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    void submit(form);
  });
  return form;
}

function value(form, path) {
  const container = form.querySelector(`[data-field="${path}"]`);
  const control = container?.querySelector('input:not([type=radio]):not([type=checkbox]), select, textarea');
  return control ? control.value.trim() : '';
}

function integer(text) {
  return /^-?\d+$/.test(text) ? Number(text) : text;
}

function boolean(text) {
  return text === '' ? undefined : text === 'true';
}

/** The request body from the form; empty optional fields are left out, so intake judges only what was given. */
export function reportBody(form) {
  const given = (text) => (text === '' ? undefined : text);
  const effects = [...form.querySelectorAll('[data-effect]')].map((block, index) => {
    const severity = block.querySelector(`[data-field="effects[${index}].severity"] input:checked`)?.value;
    return {
      category: given(value(form, `effects[${index}].category`)),
      onsetDate: given(value(form, `effects[${index}].onsetDate`)),
      severity,
      persistent: block.querySelector(`[data-field="effects[${index}].persistent"] input`).checked ? true : undefined,
      description: given(value(form, `effects[${index}].description`)),
    };
  });
  const skinConditions = [...form.querySelectorAll('input[name=skinConditions]:checked')].map((box) => box.value);
  const patient = {
    ageYears: given(value(form, 'patient.ageYears')) === undefined ? undefined : integer(value(form, 'patient.ageYears')),
    sex: given(value(form, 'patient.sex')),
    skinConditions: skinConditions.length ? skinConditions : undefined,
  };
  const riskFactors = {
    aftercareFollowed: boolean(value(form, 'riskFactors.aftercareFollowed')),
    sunExposureWithoutProtection: boolean(value(form, 'riskFactors.sunExposureWithoutProtection')),
    patchTestDone: boolean(value(form, 'riskFactors.patchTestDone')),
  };
  const contact = { email: given(value(form, 'reporter.contact.email')), phone: given(value(form, 'reporter.contact.phone')) };
  const body = {
    clinicId: given(value(form, 'clinicId')),
    procedureDate: given(value(form, 'procedureDate')),
    procedureRef: given(value(form, 'procedureRef')),
    pigmentId: given(value(form, 'pigmentId')),
    sessionNumber: given(value(form, 'sessionNumber')) === undefined ? undefined : integer(value(form, 'sessionNumber')),
    reporter: {
      type: form.querySelector('[data-field="reporter.type"] input:checked')?.value,
      contact: Object.values(contact).some((v) => v !== undefined) ? contact : undefined,
    },
    effects,
    outcome: given(value(form, 'outcome')),
    medicalIntervention: form.querySelector('input[name=medicalIntervention]').checked ? true : undefined,
    hospitalized: form.querySelector('input[name=hospitalized]').checked ? true : undefined,
    patient: Object.values(patient).some((v) => v !== undefined) ? patient : undefined,
    riskFactors: Object.values(riskFactors).some((v) => v !== undefined) ? riskFactors : undefined,
    narrative: given(value(form, 'narrative')),
  };
  return JSON.parse(JSON.stringify(body));
}

function clearErrors(form) {
  for (const error of form.querySelectorAll('.field-error')) error.remove();
  for (const control of form.querySelectorAll('[aria-invalid]')) {
    control.removeAttribute('aria-invalid');
    const described = (control.getAttribute('aria-describedby') ?? '').split(' ').filter((id) => id && !id.endsWith('-error'));
    if (described.length) control.setAttribute('aria-describedby', described.join(' '));
    else control.removeAttribute('aria-describedby');
  }
  clear(form.querySelector('.form-errors'));
}

/** Plain words for a required field left empty; any other problem keeps intake's own message. */
const WHEN_EMPTY = {
  clinicId: 'Enter the clinic ID, or the procedure reference instead.',
  procedureDate: 'Enter the date of the procedure.',
  category: 'Choose what kind of complication it is.',
  onsetDate: 'Enter the date it started.',
  severity: 'Choose how bad it is.',
  'reporter.type': 'Choose who is reporting.',
};

function messageFor(problem, container) {
  const friendly = WHEN_EMPTY[(problem.field ?? '').replace(/^(effects|addEffects)\[\d+\]\./, '')];
  if (!friendly || !container) return problem.message;
  const empty = container.matches('fieldset')
    ? !container.querySelector('input:checked')
    : !container.querySelector('input, select, textarea')?.value.trim();
  return empty ? friendly : problem.message;
}

/** Puts each error beside its field (the closest named container: effects[0] for effects[0].foo when needed). */
function showErrors(form, error) {
  const summary = form.querySelector('.form-errors');
  const listed = [];
  for (const problem of error.errors) {
    let path = problem.field ?? '';
    let container = form.querySelector(`[data-field="${CSS.escape(path)}"]`);
    while (!container && /[.[]/.test(path)) {
      path = path.replace(/(\.[^.[\]]+|\[\d+\])$/, '');
      container = path ? form.querySelector(`[data-field="${CSS.escape(path)}"]`) : null;
    }
    if (!container && /^effects(\[\d+\])?$/.test(problem.field ?? '')) container = form.querySelector('#effects');
    const id = uniqueId('error');
    const message = messageFor(problem, container);
    if (container) {
      container.append(h('p', { class: 'field-error', id: `${id}-error` }, message));
      const control = container.matches('fieldset') ? container.querySelector('input') : container.querySelector('input, select, textarea');
      if (control) {
        control.setAttribute('aria-invalid', 'true');
        control.setAttribute('aria-describedby', [control.getAttribute('aria-describedby'), `${id}-error`].filter(Boolean).join(' '));
        if (!control.id) control.id = id;
      }
      listed.push(h('li', {}, h('a', { href: `#${control?.id ?? ''}` }, message)));
    } else listed.push(h('li', {}, message));
  }
  clear(
    summary,
    h(
      'div',
      { class: 'notice danger', role: 'alert' },
      h('h2', {}, error.status === 429 ? 'Too many reports from this connection' : 'Please check the report'),
      h(
        'p',
        {},
        error.status === 429 ? `Please try again ${error.retryAfter ? `in ${error.retryAfter} seconds` : 'in a minute'}.` : error.message,
      ),
      listed.length ? h('ul', {}, listed) : null,
    ),
  );
  summary.focus();
}

async function submit(form) {
  const button = form.querySelector('button[type=submit]');
  clearErrors(form);
  button.disabled = true;
  button.textContent = 'Sending…';
  try {
    // One key per attempt: a retry after a lost answer returns the same case instead of a second one.
    form.dataset.idempotencyKey ||= crypto.randomUUID();
    const body = reportBody(form);
    const created = await intake('/v1/reports', body, { key: null, headers: { 'idempotency-key': form.dataset.idempotencyKey } });
    showReceipt(created);
  } catch (error) {
    if (error instanceof ApiError && error.status === 422 && error.problem?.type?.endsWith('/idempotency-key-reused'))
      delete form.dataset.idempotencyKey;
    if (error instanceof ApiError && error.status >= 400 && error.status < 500) delete form.dataset.idempotencyKey;
    showErrors(form, error instanceof ApiError ? error : new ApiError(0, null, String(error)));
  } finally {
    button.disabled = false;
    button.textContent = 'Send the report';
  }
}

function showReceipt(created) {
  const copy = h('button', { type: 'button', class: 'secondary' }, 'Copy the token');
  copy.addEventListener('click', async () => {
    try {
      await navigator.clipboard.writeText(created.followUpToken);
      copy.textContent = 'Copied';
    } catch {
      copy.textContent = 'Select the token and copy it';
    }
  });
  const panel = h(
    'section',
    { class: 'panel', id: 'receipt', tabindex: '-1', 'aria-labelledby': 'receipt-title' },
    h('h2', { id: 'receipt-title' }, 'Thank you: your report is recorded'),
    h(
      'dl',
      { class: 'facts' },
      h('dt', {}, 'Case id'),
      h('dd', { id: 'case-id' }, created.caseId),
      h('dt', {}, 'Follow-up token'),
      h('dd', {}, h('span', { class: 'token', id: 'follow-up-token' }, created.followUpToken), ' ', copy),
      h('dt', {}, 'Serious'),
      h('dd', {}, created.serious ? `Yes (${created.seriousReasons.join(', ').replace(/_/g, ' ')})` : 'No'),
    ),
    h('h3', {}, 'What happens next'),
    h(
      'ul',
      {},
      h(
        'li',
        {},
        'Keep the case id and the follow-up token somewhere safe. The token is shown only now; with it you can add what happened next (it healed, it got worse, a doctor saw it) without an account.',
      ),
      h('li', {}, 'The clinic and the regulator see the report without your contact details or your own words; those stay with SMP Vigil.'),
      created.serious
        ? h('li', {}, `Because it is serious, it must reach the regulator by ${created.reportingDueBy} (15 business days).`)
        : h('li', {}, 'It is counted in the clinic’s and the pigment’s figures within a minute or so.'),
      h('li', {}, 'If it gets worse, see a doctor. In an emergency, call your local emergency number.'),
    ),
    h('p', {}, h('a', { href: '/report/' }, 'Report another complication'), ' · ', h('a', { href: '/' }, 'See the safety figures')),
  );
  clear(root, panel, buildFollowUpForm(created.caseId));
  panel.focus();
}

/**
 * "Add what happened next": the case id and the private follow-up token are all it takes, no account. A new outcome,
 * a doctor's treatment or a new complication makes a new version of the same case.
 */
function buildFollowUpForm(caseId = '') {
  const category = h(
    'select',
    {},
    h('option', { value: '' }, 'No new complication'),
    Object.entries(CATEGORY_LABELS).map(([v, t]) => h('option', { value: v }, t)),
  );
  const form = h(
    'form',
    { id: 'follow-up-form', novalidate: true, 'aria-describedby': 'follow-up-errors' },
    h('div', { id: 'follow-up-errors', class: 'form-errors', tabindex: '-1', 'aria-live': 'assertive' }),
    h(
      'div',
      { class: 'grid' },
      field('caseId', 'Case id', h('input', { type: 'text', value: caseId, autocomplete: 'off', spellcheck: 'false' }), {
        hint: 'e.g. SMP-2026-000042',
        required: true,
      }),
      field('followUpToken', 'Follow-up token', h('input', { type: 'password', autocomplete: 'off', spellcheck: 'false' }), {
        hint: 'The token you were given with the case id',
        required: true,
      }),
      field(
        'outcome',
        'How is it today',
        h(
          'select',
          {},
          OUTCOMES.map(([v, t]) => h('option', { value: v }, t)),
        ),
      ),
    ),
    h(
      'div',
      { class: 'field', dataset: { field: 'medicalIntervention' } },
      h('label', {}, h('input', { type: 'checkbox', name: 'medicalIntervention' }), ' A doctor has treated it since'),
    ),
    field('medicalInformation', 'What the doctor found or did (optional, kept private)', h('textarea', { maxlength: '5000', rows: '3' })),
    h(
      'div',
      { class: 'grid' },
      field('addEffects[0].category', 'A new complication', category),
      field('addEffects[0].onsetDate', 'When did the new complication start', h('input', { type: 'date', max: today() })),
    ),
    radios('addEffects[0].severity', 'How bad is the new complication', SEVERITIES),
    h('p', {}, h('button', { type: 'submit' }, 'Add to my report')),
    h('div', { class: 'follow-up-result', 'aria-live': 'polite' }),
  );
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const button = form.querySelector('button[type=submit]');
    clearErrors(form);
    clear(form.querySelector('.follow-up-result'));
    const given = (path) => value(form, path) || undefined;
    const caseIdValue = given('caseId');
    const token = given('followUpToken');
    const missing = [
      ...(caseIdValue ? [] : [{ field: 'caseId', message: 'Enter the case id.' }]),
      ...(token ? [] : [{ field: 'followUpToken', message: 'Enter the follow-up token.' }]),
    ];
    if (missing.length)
      return showErrors(form, Object.assign(new ApiError(400, { detail: 'The case id and the token are needed.' }), { errors: missing }));
    const newCategory = given('addEffects[0].category');
    const body = JSON.parse(
      JSON.stringify({
        outcome: given('outcome'),
        medicalIntervention: form.querySelector('input[name=medicalIntervention]').checked ? true : undefined,
        medicalInformation: given('medicalInformation'),
        addEffects: newCategory
          ? [
              {
                category: newCategory,
                onsetDate: given('addEffects[0].onsetDate'),
                severity: form.querySelector('[data-field="addEffects[0].severity"] input:checked')?.value,
              },
            ]
          : undefined,
      }),
    );
    button.disabled = true;
    try {
      const version = await intake(`/v1/reports/${encodeURIComponent(caseIdValue)}/follow-ups`, body, {
        key: null,
        headers: { 'x-follow-up-token': token },
      });
      clear(
        form.querySelector('.follow-up-result'),
        h(
          'p',
          { class: 'notice success', role: 'status' },
          `Added to case ${version.caseId} (version ${version.version}).`,
          version.serious && version.reportingDueBy ? ` It is serious; it must reach the regulator by ${version.reportingDueBy}.` : '',
        ),
      );
    } catch (error) {
      // Intake does not say whether the case exists without the right token; neither do we.
      const shown =
        error instanceof ApiError && error.status === 404
          ? new ApiError(404, { detail: 'No case matches this case id and token. Check both and try again.' })
          : error;
      showErrors(form, shown instanceof ApiError ? shown : new ApiError(0, null, String(shown)));
    } finally {
      button.disabled = false;
    }
  });
  return h(
    'section',
    { class: 'panel', 'aria-labelledby': 'follow-up-title' },
    h('h2', { id: 'follow-up-title' }, 'Add what happened next'),
    h(
      'p',
      { class: 'hint' },
      'Already reported? With your case id and follow-up token you can say how it went: it healed, it got worse, or a doctor saw it.',
    ),
    form,
  );
}

clear(root, buildForm(), buildFollowUpForm());
