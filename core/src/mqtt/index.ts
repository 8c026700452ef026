export {
  MQTT_CA_ENV,
  MQTT_CA_ENV_SHAPE,
  MQTT_TUNING_DEFAULTS,
  MQTT_TUNING_ENV,
  MQTT_TUNING_ENV_SHAPE,
  mqttCa,
  mqttTuning,
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
