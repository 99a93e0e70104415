import { GroupCommit } from './group-commit.js';

/** A commit that the test finishes by hand, recording each group it was given. */
function controlledCommit() {
  const groups: number[][] = [];
  const pending: Array<{ finish: () => void; fail: (error: unknown) => void }> = [];
  const commit = (items: number[]) =>
    new Promise<string[]>((resolve, reject) => {
      groups.push(items);
      pending.push({ finish: () => resolve(items.map((item) => `stored ${item}`)), fail: reject });
    });
  return { groups, pending, commit };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

describe(GroupCommit.name, () => {
  it('writes an item at once when nothing is in flight, and gathers what arrives meanwhile into the next group', async () => {
    const { groups, pending, commit } = controlledCommit();
    const sut = new GroupCommit<number, string>({ commit, alone: () => Promise.reject(new Error('unused')), maxGroup: 10, inFlight: 1 });

    const first = sut.submit(1);
    const later = [sut.submit(2), sut.submit(3), sut.submit(4)];
    expect(groups).toEqual([[1]]);
    pending[0].finish();
    expect(await first).toBe('stored 1');
    await settle();
    expect(groups).toEqual([[1], [2, 3, 4]]);
    pending[1].finish();
    expect(await Promise.all(later)).toEqual(['stored 2', 'stored 3', 'stored 4']);
  });

  it('keeps at most inFlight groups of at most maxGroup items each', async () => {
    const { groups, pending, commit } = controlledCommit();
    const sut = new GroupCommit<number, string>({ commit, alone: () => Promise.reject(new Error('unused')), maxGroup: 2, inFlight: 2 });

    const all = [1, 2, 3, 4, 5, 6].map((item) => sut.submit(item));
    expect(groups).toEqual([[1], [2]]);
    pending[0].finish();
    await settle();
    expect(groups).toEqual([[1], [2], [3, 4]]);
    pending[1].finish();
    pending[2].finish();
    await settle();
    expect(groups).toEqual([[1], [2], [3, 4], [5, 6]]);
    pending[3].finish();
    expect(await Promise.all(all)).toEqual([1, 2, 3, 4, 5, 6].map((item) => `stored ${item}`));
  });

  it('writes each item of a failed group alone, so that only the bad one fails', async () => {
    const { groups, pending, commit } = controlledCommit();
    const alone = (item: number) => (item === 3 ? Promise.reject(new Error('item 3 is bad')) : Promise.resolve(`alone ${item}`));
    const sut = new GroupCommit<number, string>({ commit, alone, maxGroup: 10, inFlight: 1 });

    const first = sut.submit(1);
    const grouped = [2, 3, 4].map((item) => sut.submit(item));
    pending[0].finish();
    await first;
    await settle();
    expect(groups[1]).toEqual([2, 3, 4]);
    pending[1].fail(new Error('a row of item 3 violates a constraint'));
    const outcomes = await Promise.allSettled(grouped);
    expect(outcomes.map((outcome) => (outcome.status === 'fulfilled' ? outcome.value : (outcome.reason as Error).message))).toEqual([
      'alone 2',
      'item 3 is bad',
      'alone 4',
    ]);
  });

  it('fails the whole group on a transient database error, for the callers to retry, and goes on with the next', async () => {
    const { groups, pending, commit } = controlledCommit();
    const alonePerformed: number[] = [];
    const alone = (item: number) => {
      alonePerformed.push(item);
      return Promise.resolve(`alone ${item}`);
    };
    const sut = new GroupCommit<number, string>({ commit, alone, maxGroup: 10, inFlight: 1 });

    const first = sut.submit(1);
    const grouped = [2, 3].map((item) => sut.submit(item));
    pending[0].finish();
    await first;
    await settle();
    pending[1].fail(Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' }));
    const outcomes = await Promise.allSettled(grouped);
    expect(outcomes.map((outcome) => outcome.status)).toEqual(['rejected', 'rejected']);
    expect(alonePerformed).toEqual([]);

    const next = sut.submit(4);
    expect(groups.at(-1)).toEqual([4]);
    pending.at(-1)!.finish();
    expect(await next).toBe('stored 4');
  });
});
