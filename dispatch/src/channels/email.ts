import nodemailer from 'nodemailer';
import { ChannelFailed, ChannelNotConfigured } from '../errors.js';
import type { Send } from './types.js';

/** Email over SMTP (nodemailer): one transport for the service, the text as plain text. */
export function emailChannel(smtp: { url: string; from: string } | undefined): { send: Send; close(): void } {
  if (!smtp)
    return {
      send: () => Promise.reject(ChannelNotConfigured('email is not configured (VIGIL_SMTP_URL)')),
      close: () => {},
    };
  const transport = nodemailer.createTransport(smtp.url);
  return {
    async send({ endpoint, message }) {
      if (!('email' in endpoint.target)) throw ChannelNotConfigured(`endpoint ${endpoint.id} has no email address`);
      await transport
        .sendMail({ from: smtp.from, to: endpoint.target.email, subject: message.title, text: message.body })
        .catch((err: Error & { responseCode?: number; code?: string }) => {
          // The reply code only: nodemailer's message may quote the rejected address.
          throw ChannelFailed(`SMTP ${err.responseCode ?? err.code ?? 'error'}`, err);
        });
    },
    close: () => transport.close(),
  };
}
