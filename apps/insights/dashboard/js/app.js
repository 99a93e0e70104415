/* global document */
// The dashboard shell: sign-in with an API key (kept for this browser session only), then the view the key's role
// allows: clinic, or regulator (also for admin keys). Without a key, the public view.
import { ApiError, session, whoAmI } from './api.js';
import { clear, failure, loading } from './dom.js';
import { renderClinicView } from './views/clinic.js';
import { renderPublicView } from './views/public.js';
import { renderRegulatorView } from './views/regulator.js';

const main = document.getElementById('main');
const signInForm = document.getElementById('sign-in');
const keyInput = document.getElementById('api-key');
const signInError = document.getElementById('sign-in-error');
const signedIn = document.getElementById('signed-in');
const who = document.getElementById('who');

signInForm.addEventListener('submit', async (event) => {
  event.preventDefault();
  const key = keyInput.value.trim();
  signInError.hidden = true;
  keyInput.removeAttribute('aria-invalid');
  if (!key) return showSignInError('Enter an API key.');
  const button = signInForm.querySelector('button');
  button.disabled = true;
  try {
    await whoAmI(key);
    session.signIn(key);
    keyInput.value = '';
    await show();
  } catch (error) {
    showSignInError(error instanceof ApiError && error.status === 401 ? 'That key is not valid or has been revoked.' : error.message);
  } finally {
    button.disabled = false;
  }
});

document.getElementById('sign-out').addEventListener('click', async () => {
  session.signOut();
  await show();
  keyInput.focus();
});

function showSignInError(message) {
  signInError.textContent = message;
  signInError.hidden = false;
  keyInput.setAttribute('aria-invalid', 'true');
  keyInput.focus();
}

async function show() {
  clear(main, loading());
  const key = session.key();
  let me = null;
  if (key) {
    try {
      me = await whoAmI(key);
    } catch (error) {
      // A revoked or mistyped key: back to the public view, with the reason.
      session.signOut();
      if (error instanceof ApiError && error.status === 401) showSignInError('Your key is no longer valid; you have been signed out.');
      else {
        clear(main, failure(error));
        return;
      }
    }
  }
  signInForm.hidden = me !== null;
  signedIn.hidden = me === null;
  who.textContent = me ? (me.role === 'clinic' ? `Signed in as clinic ${me.clinicId}` : `Signed in as ${me.role}`) : '';
  document.body.dataset.view = me ? (me.role === 'clinic' ? 'clinic' : 'regulator') : 'public';
  try {
    if (me?.role === 'clinic') await renderClinicView(main, me);
    else if (me) await renderRegulatorView(main, me);
    else await renderPublicView(main);
  } catch (error) {
    clear(main, failure(error));
  }
}

await show();
