import { createApp } from 'vue';
import { i18n } from '../shared/i18n.js';
import DisplayApp from './DisplayApp.vue';
import './display.css';

createApp(DisplayApp).use(i18n).mount('#app');
