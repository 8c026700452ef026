import { createApp } from 'vue';
import { i18n } from '../shared/i18n.js';
import StaffApp from './StaffApp.vue';
import '../shared/pages.css';
import './staff.css';

createApp(StaffApp).use(i18n).mount('#app');
