import { defineError } from '@vigil/core';

/** The gateway could not open its data directory (another gateway holds the lock, or it is not writable). */
export const GatewayStateUnavailable = defineError('VIGIL_ERR_GATEWAY_STATE_UNAVAILABLE');
/** The MQTT port could not be bound (in use, or not permitted). */
export const GatewayListenFailed = defineError('VIGIL_ERR_GATEWAY_LISTEN_FAILED');
/** The TLS listener's certificate, key or CA file cannot be read or is not a usable PEM certificate/key pair. */
export const GatewayTlsInvalid = defineError('VIGIL_ERR_GATEWAY_TLS_INVALID');

/**
 * Why a client or a packet was refused. These are metric labels (`vigil_gateway_refusals_total{reason}`)
 * and log fields, not thrown errors: a refusal is the broker doing its job.
 */
export const REFUSAL_REASONS = [
  'bad_credentials',
  'unknown_account',
  'retired',
  'client_id_mismatch',
  'registry_unavailable',
  'publish_denied',
  'subscribe_denied',
  'forward_denied',
  'rate_limited',
  'packet_too_large',
  'connect_timeout',
  'protocol_error',
  'queue_overflow',
  'drain_timeout',
  'too_many_connections',
  'tls_handshake_failed',
] as const;
export type RefusalReason = (typeof REFUSAL_REASONS)[number];
