import { HashingSlots } from './hashing-slots';

describe('HashingSlots', () => {
  it('runs at most `concurrency` tasks at once, queues up to `maxQueued`, and refuses the rest at once', async () => {
    const slots = new HashingSlots(2, 3);
    let running = 0;
    let peak = 0;
    const releases: Array<() => void> = [];
    const task = () =>
      new Promise<string>((resolve) => {
        running++;
        peak = Math.max(peak, running);
        releases.push(() => {
          running--;
          resolve('done');
        });
      });
    const accepted = Array.from({ length: 5 }, () => slots.run(task));
    await expect(slots.run(task)).rejects.toMatchObject({ code: 'rate_limited', retryAfterSeconds: 1 });
    expect(slots.active).toBe(2);
    expect(slots.queued).toBe(3);
    // Finish tasks one by one: each frees a slot for the next in line.
    while (releases.length > 0 || slots.active > 0) {
      await new Promise((resolve) => setImmediate(resolve));
      releases.shift()?.();
    }
    await expect(Promise.all(accepted)).resolves.toEqual(['done', 'done', 'done', 'done', 'done']);
    expect(peak).toBe(2);
    expect(slots.queued).toBe(0);
  });

  it('frees the slot of a task that fails', async () => {
    const slots = new HashingSlots(1, 0);
    await expect(slots.run(() => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    await expect(slots.run(() => Promise.resolve(1))).resolves.toBe(1);
  });
});
