// DOM helpers. Untrusted text (caller names, user agents, ticket text) must
// only ever reach the page through these: strings become text nodes.
import { t } from './i18n.js';

export function el(tag, props, ...children) {
  const n = document.createElement(tag);
  for (const [k, v] of Object.entries(props || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k === 'class') n.className = v;
    else if (k === 'text') n.textContent = String(v);
    else if (k === 'i18n') { n.dataset.i18n = v; n.textContent = t(v); }
    else if (k.startsWith('on') && typeof v === 'function') n.addEventListener(k.slice(2), v);
    else if (k === 'value') n.value = v;
    else if (k === 'checked' || k === 'disabled' || k === 'hidden' || k === 'selected') n[k] = !!v;
    else n.setAttribute(k, v === true ? '' : String(v));
  }
  append(n, children);
  return n;
}

function append(n, children) {
  for (const c of children.flat(Infinity)) {
    if (c === null || c === undefined || c === false) continue;
    n.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
}

// fill replaces a node's children.
export function fill(n, ...children) {
  n.replaceChildren();
  append(n, children);
  return n;
}

export const $ = (sel, root = document) => root.querySelector(sel);
export const $$ = (sel, root = document) => Array.from(root.querySelectorAll(sel));

// setText sets an element's text by id; missing elements are ignored.
export function setText(id, v) {
  const n = document.getElementById(id);
  if (n) n.textContent = v === null || v === undefined ? '' : String(v);
  return n;
}

export function show(n, on = true) { if (n) n.hidden = !on; }

// option builds an <option>; label is text.
export function option(value, label, selected) {
  return el('option', { value, selected: !!selected }, label);
}
