import { createApp } from 'vue';
import { i18n } from '../shared/i18n.js';
import OfficerApp from './OfficerApp.vue';
import '../shared/pages.css';
import './print.css';
import './manage.css';

createApp(OfficerApp).use(i18n).mount('#app');
