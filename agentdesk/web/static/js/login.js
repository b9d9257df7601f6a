import { api, setCSRF } from './api.js';
import { addMessages, applyI18n, getLang, t } from './i18n.js';
import { homeFor, initLang } from './common.js';

addMessages({
  'login.locked': 'Demasiados intentos. Intente de nuevo en {n} minutos.',
  'login.locked1': 'Demasiados intentos. Intente de nuevo en 1 minuto.',
}, {
  'login.locked': 'Too many attempts. Try again in {n} minutes.',
  'login.locked1': 'Too many attempts. Try again in 1 minute.',
});

// lockedMessage tells how long a locked login lasts, in whole minutes.
function lockedMessage(seconds) {
  const n = Math.max(1, Math.ceil((Number(seconds) || 60) / 60));
  return n === 1 ? t('login.locked1') : t('login.locked', { n });
}

initLang(); // Spanish unless this browser chose English before
applyI18n();

document.getElementById('lang').addEventListener('click', () => {
  localStorage.setItem('atiende_lang', getLang() === 'es' ? 'en' : 'es');
  location.reload();
});

// Already logged in: go straight to the user's page.
api('GET', '/me').then((me) => location.replace(homeFor(me.user.role))).catch(() => {});

document.getElementById('login-form').addEventListener('submit', async (ev) => {
  ev.preventDefault();
  const err = document.getElementById('login-error');
  err.hidden = true;
  const btn = ev.target.querySelector('button[type=submit]');
  btn.disabled = true;
  try {
    const r = await api('POST', '/login', {
      username: document.getElementById('username').value.trim(),
      password: document.getElementById('password').value,
    });
    setCSRF(r.csrf_token);
    localStorage.removeItem('atiende_lang'); // each user's own language from now on
    location.assign(homeFor(r.user.role));
  } catch (e) {
    if (e.status === 429) err.textContent = lockedMessage(e.data.retry_after);
    else err.textContent = e.status === 401 ? t('login.failed') : e.message;
    err.hidden = false;
  } finally {
    btn.disabled = false;
  }
});
