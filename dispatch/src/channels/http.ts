import { ChannelFailed } from '../errors.js';

const TIMEOUT_MS = 10_000;

/**
 * POSTs one notification over HTTP and returns the answer's text; a network error, a timeout or a non-2xx status is
 * VIGIL_ERR_NOTIFY_CHANNEL_FAILED, its message the status only (never the URL, which may carry a robot's key).
 */
export async function postOnce(url: string, headers: Record<string, string>, body: string | Buffer): Promise<string> {
  let response: Response;
  try {
    response = await fetch(url, { method: 'POST', headers, body, signal: AbortSignal.timeout(TIMEOUT_MS) });
  } catch (err) {
    throw ChannelFailed(`HTTP: ${(err as Error).name === 'TimeoutError' ? 'timeout' : 'unreachable'}`, err);
  }
  const text = await response.text();
  if (!response.ok) throw ChannelFailed(`HTTP ${response.status}`);
  return text;
}
