import { createApp } from 'vue';
import { i18n } from '../shared/i18n.js';
import RegulatorApp from './RegulatorApp.vue';
import '../shared/pages.css';

createApp(RegulatorApp).use(i18n).mount('#app');
