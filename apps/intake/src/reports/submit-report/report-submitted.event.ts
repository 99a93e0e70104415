/** In-process only: a case and its outbox rows have been committed. */
export class ReportSubmittedEvent {
  constructor(readonly caseId: string) {}
}
