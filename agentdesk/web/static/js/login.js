import { api, setCSRF } from './api.js';
import { applyI18n, getLang, t } from './i18n.js';
import { homeFor, initLang } from './common.js';

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
    err.textContent = e.status === 401 ? t('login.failed') : e.message;
    err.hidden = false;
  } finally {
    btn.disabled = false;
  }
});
