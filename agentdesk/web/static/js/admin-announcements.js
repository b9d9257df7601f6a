// Administration, IVR announcements tab.
import { addMessages } from './i18n.js';

addMessages({}, {});

export function init() {}
