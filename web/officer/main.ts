import { i18n } from '../shared/i18n.js';
void i18n;
