export {
  MQTT_CLIENT_ENV,
  MQTT_CLIENT_ENV_SHAPE,
  MQTT_TUNING_DEFAULTS,
  MQTT_TUNING_ENV,
  MQTT_TUNING_ENV_SHAPE,
  mqttCa,
  mqttClient,
  mqttTuning,
  type MqttLogin,
  type MqttTuning,
} from './config.js';
export {
  connectMqttService,
  handleEach,
  type MessageHandler,
  type MqttMessage,
  type MqttService,
  type MqttServiceOptions,
} from './service-client.js';
