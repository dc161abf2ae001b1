/** How many connections each key (a client address, a token, a connection) holds open in this process. */
export class OpenSocketCounter<Key = string> {
  private readonly counts = new Map<Key, number>();

  constructor(readonly cap: number) {}

  count(key: Key): number {
    return this.counts.get(key) ?? 0;
  }

  isFull(key: Key): boolean {
    return this.count(key) >= this.cap;
  }

  /** Counts one more; answers a function that releases it (once, however often it is called). */
  add(key: Key): () => void {
    this.counts.set(key, this.count(key) + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const left = this.count(key) - 1;
      if (left > 0) this.counts.set(key, left);
      else this.counts.delete(key);
    };
  }
}
