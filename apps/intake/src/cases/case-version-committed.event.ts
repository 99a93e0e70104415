/** In-process only: a case version and its outbox rows have been committed (wakes the outbox relay). */
export class CaseVersionCommittedEvent {
  constructor(readonly caseId: string) {}
}
