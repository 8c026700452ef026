export { AckQueue } from './ack-queue.js';
export { MQTT_TUNING_DEFAULTS, MQTT_TUNING_ENV, MQTT_TUNING_ENV_SHAPE, mqttTuning, type MqttTuning } from './config.js';
export {
  connectMqttService,
  handleEach,
  YIELD_AFTER_MS,
  type MessageHandler,
  type MqttMessage,
  type MqttService,
  type MqttServiceOptions,
} from './service-client.js';
