import { isTransientDatabaseError } from './transient-error.js';

export interface GroupCommitOptions<Item, Result> {
  /** Writes a whole group in one transaction; returns one result per item, in the items' order. */
  commit: (items: Item[]) => Promise<Result[]>;
  /** Writes one item on its own, when the group it was in failed for a reason that is not transient. */
  alone: (item: Item) => Promise<Result>;
  /** At most this many items in one group. */
  maxGroup: number;
  /** Groups written at once: while they wait on Postgres, the next one fills. */
  inFlight: number;
}

interface Queued<Item, Result> {
  item: Item;
  resolve: (result: Result) => void;
  reject: (error: unknown) => void;
}

/**
 * Group commit: the items submitted while the groups in flight are being written go to the database
 * together, in one transaction (one WAL flush, and each row changed once however many items change
 * it) instead of one transaction each. Under load the queue fills while a group is in flight; alone,
 * an item is written at once. Nobody's promise settles before the transaction holding their item
 * committed or failed.
 *
 * One bad item must not fail the others: when a group fails for a reason other than a transient
 * database error, each of its items is written alone, and only the bad one fails. A transient error
 * (Postgres restarting, unreachable) fails the whole group: the callers retry.
 */
export class GroupCommit<Item, Result> {
  private readonly queue: Array<Queued<Item, Result>> = [];
  private groupsInFlight = 0;

  constructor(private readonly options: GroupCommitOptions<Item, Result>) {}

  submit(item: Item): Promise<Result> {
    return new Promise<Result>((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      this.flush();
    });
  }

  private flush(): void {
    while (this.groupsInFlight < this.options.inFlight && this.queue.length > 0) {
      const group = this.queue.splice(0, this.options.maxGroup);
      this.groupsInFlight++;
      void this.write(group).finally(() => {
        this.groupsInFlight--;
        this.flush();
      });
    }
  }

  private async write(group: Array<Queued<Item, Result>>): Promise<void> {
    let results: Result[];
    try {
      results = await this.options.commit(group.map((queued) => queued.item));
    } catch (error) {
      if (group.length === 1 || isTransientDatabaseError(error)) {
        for (const queued of group) queued.reject(error);
        return;
      }
      await Promise.all(group.map((queued) => this.options.alone(queued.item).then(queued.resolve, queued.reject)));
      return;
    }
    group.forEach((queued, index) => queued.resolve(results[index]));
  }
}
