import { Global, Module } from '@nestjs/common';
import { OutboxMetrics } from './outbox.metrics.js';
import { OutboxRelay } from './outbox-relay.service.js';
import { OutboxRepository } from './outbox.repository.js';

/** Global: every write module appends its events through the one OutboxRepository. */
@Global()
@Module({ providers: [OutboxRepository, OutboxMetrics, OutboxRelay], exports: [OutboxRepository] })
export class OutboxModule {}
