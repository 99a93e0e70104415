import { Logger } from '@nestjs/common';
import pg from 'pg';

export interface NotificationHandlers {
  /** A NOTIFY on the channel was delivered (Postgres delivers on the notifying transaction's commit). */
  onNotify(payload: string | undefined): void;
  /**
   * LISTEN took effect, first or after a reconnection. A notification sent before this moment may have been missed,
   * so whatever was learnt before it must be taken as stale.
   */
  onListening(): void;
  /** The connection failed or ended: from now until the next onListening, notifications may be missed. */
  onLost(error: Error): void;
}

export interface NotificationListenerOptions {
  connectionString: string | undefined;
  channel: string;
  /** Shown in pg_stat_activity. */
  applicationName: string;
  /** What the log lines say is paused while no listener is live ("caching API keys", say). */
  purpose: string;
  reconnectMs?: number;
}

/**
 * A dedicated Postgres connection that LISTENs on one channel and reconnects
 * after any failure, for the in-memory caches whose safety rests on hearing
 * every change: a cache may keep what it learnt only between onListening and
 * onLost. Call stop() to end it for good.
 */
export class NotificationListener {
  private readonly logger = new Logger(NotificationListener.name);
  private client: pg.Client | undefined;
  private stopped = false;

  private constructor(
    private readonly options: NotificationListenerOptions,
    private readonly handlers: NotificationHandlers,
  ) {
    if (!/^[a-z_][a-z0-9_]*$/.test(options.channel)) throw new Error(`invalid channel name ${options.channel}`);
  }

  /** Starts listening; resolves once the first attempt succeeded or failed (a failed one is retried in the background). */
  static async start(options: NotificationListenerOptions, handlers: NotificationHandlers): Promise<NotificationListener> {
    const listener = new NotificationListener(options, handlers);
    await listener.connect();
    return listener;
  }

  /** Between onListening and onLost: a notification sent now will be heard. */
  get listening(): boolean {
    return this.client !== undefined;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.client?.end().catch(() => undefined);
  }

  private async connect(): Promise<void> {
    if (this.stopped) return;
    const client = new pg.Client({ connectionString: this.options.connectionString, application_name: this.options.applicationName });
    let lost = false;
    const lose = (error: Error) => {
      if (lost) return;
      lost = true;
      if (this.client === client) this.client = undefined;
      this.handlers.onLost(error);
      void client.end().catch(() => undefined);
      if (this.stopped) return;
      this.logger.warn(`not ${this.options.purpose} until the ${this.options.channel} listener reconnects (${error.message})`);
      setTimeout(() => void this.connect(), this.options.reconnectMs ?? 1_000).unref();
    };
    client.on('notification', (message) => this.handlers.onNotify(message.payload));
    client.on('error', lose);
    client.on('end', () => lose(new Error('the connection ended')));
    try {
      await client.connect();
      await client.query(`LISTEN ${this.options.channel}`);
    } catch (error) {
      lose(error as Error);
      return;
    }
    if (lost) return;
    if (this.stopped) return void client.end().catch(() => undefined);
    this.client = client;
    this.handlers.onListening();
  }
}
