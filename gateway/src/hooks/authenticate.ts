import type { AuthenticateError, Client } from 'aedes';
import type { RefusalReason } from '../errors.js';
import { refuse, type HookContext } from './context.js';

// CONNACK return codes, MQTT 3.1.1 table 3.1 [MQTT-3.2.2-5].
const SERVER_UNAVAILABLE = 3;
const BAD_USERNAME_OR_PASSWORD = 4;
const NOT_AUTHORIZED = 5;

const RETURN_CODES: Partial<Record<RefusalReason, number>> = {
  bad_credentials: BAD_USERNAME_OR_PASSWORD,
  unknown_account: BAD_USERNAME_OR_PASSWORD,
  retired: NOT_AUTHORIZED,
  client_id_mismatch: NOT_AUTHORIZED,
  registry_unavailable: SERVER_UNAVAILABLE,
};

function authError(reason: RefusalReason): AuthenticateError {
  const err = new Error(`connection refused: ${reason}`) as AuthenticateError;
  err.returnCode = RETURN_CODES[reason] ?? NOT_AUTHORIZED;
  return err;
}

/** aedes `authenticate`: devices and service accounts against the registry (PROTOCOL.md "Connection"). */
export function authenticateHook(ctx: HookContext) {
  return (
    client: Client,
    username: string | undefined,
    password: Buffer | undefined,
    done: (error: AuthenticateError | null, success: boolean | null) => void,
  ): void => {
    ctx.credentials.check(client.id, username, password).then(
      (result) => {
        if (result.ok) {
          ctx.principals.set(client, result.principal);
          ctx.metrics.authentications.inc({ result: 'accepted' });
          done(null, true);
          return;
        }
        ctx.metrics.authentications.inc({ result: result.reason });
        refuse(ctx, result.reason, { clientId: client.id, username });
        done(authError(result.reason), false);
      },
      (err: unknown) => {
        ctx.log.error({ err, clientId: client.id }, 'authentication failed unexpectedly');
        done(authError('registry_unavailable'), false);
      },
    );
  };
}
