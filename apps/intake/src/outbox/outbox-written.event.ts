/** In-process only: a transaction with outbox rows has committed; the relay should look now rather than at its next poll. */
export class OutboxWrittenEvent {}
