import { Injectable, OnModuleDestroy } from '@nestjs/common';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { DomainError } from '@app/common';

/** zxcvbn's score (0-4) a password needs: 3 means about 10^8 guesses or more ("safely unguessable" online). */
export const MIN_PASSWORD_SCORE = 3;
/** Characters examined: enough to judge any real password; what comes after only adds strength. */
const EXAMINED_LENGTH = 64;
/** Checks waiting for the worker past which registration answers 429 (each check costs tens of ms of CPU). */
const MAX_QUEUED_CHECKS = 32;

export interface PasswordVerdict {
  score: number;
  warning: string | null;
  suggestions: string[];
}

/**
 * The worker's code. zxcvbn is synchronous and, for some inputs, takes hundreds of milliseconds: it runs in a worker
 * thread of its own so that the event loop (every other request) never waits for it. Its modules are resolved by the
 * main thread and handed over, so the worker needs no module resolution of its own.
 */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { ZxcvbnFactory } = require(workerData.core);
const common = require(workerData.common);
const en = require(workerData.en);
const zxcvbn = new ZxcvbnFactory({
  dictionary: { ...common.dictionary, ...en.dictionary },
  graphs: common.adjacencyGraphs,
  translations: en.translations,
  maxLength: workerData.maxLength,
  l33tMaxSubstitutions: 8,
});
parentPort.on('message', ({ id, password, userInputs }) => {
  try {
    const result = zxcvbn.check(password, userInputs);
    parentPort.postMessage({ id, verdict: { score: result.score, warning: result.feedback.warning, suggestions: result.feedback.suggestions } });
  } catch (error) {
    parentPort.postMessage({ id, error: String(error && error.message) });
  }
});
`;

interface Pending {
  resolve: (verdict: PasswordVerdict) => void;
  reject: (error: Error) => void;
}

/**
 * Refuses passwords that are easy to guess (issue 8 item 9): the common-password lists and English words of
 * `@zxcvbn-ts/language-common` / `-en`, keyboard patterns, repeats, and passwords close to the username or display name.
 */
@Injectable()
export class PasswordStrength implements OnModuleDestroy {
  private worker: Worker | undefined;
  private readonly pending = new Map<number, Pending>();
  private nextId = 0;

  /** Throws `validation_failed` with zxcvbn's advice when the password is too weak. */
  async assertStrong(password: string, userInputs: string[]): Promise<void> {
    const verdict = await this.judge(password, userInputs);
    if (verdict.score >= MIN_PASSWORD_SCORE) return;
    const advice = [verdict.warning, ...verdict.suggestions].filter((text): text is string => !!text).join(' ');
    throw new DomainError('validation_failed', `password is too easy to guess${advice ? `: ${advice}` : ''}`);
  }

  judge(password: string, userInputs: string[]): Promise<PasswordVerdict> {
    if (this.pending.size >= MAX_QUEUED_CHECKS) {
      return Promise.reject(new DomainError('rate_limited', 'Too many registrations at once; retry in a few seconds.', 2));
    }
    const worker = this.start();
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      worker.postMessage({ id, password: password.slice(0, EXAMINED_LENGTH), userInputs });
    });
  }

  async onModuleDestroy(): Promise<void> {
    const worker = this.worker;
    this.worker = undefined;
    await worker?.terminate();
  }

  private start(): Worker {
    if (this.worker) return this.worker;
    // Resolved from the service's root (where `npm start` and the image run it), in the main thread.
    const resolveModule = createRequire(join(process.cwd(), 'package.json')).resolve;
    const worker = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: {
        core: resolveModule('@zxcvbn-ts/core'),
        common: resolveModule('@zxcvbn-ts/language-common'),
        en: resolveModule('@zxcvbn-ts/language-en'),
        maxLength: EXAMINED_LENGTH,
      },
    });
    worker.unref();
    worker.on('message', (message: { id: number; verdict?: PasswordVerdict; error?: string }) => {
      const waiting = this.pending.get(message.id);
      this.pending.delete(message.id);
      if (message.verdict) waiting?.resolve(message.verdict);
      else waiting?.reject(new Error(`password check failed: ${message.error}`));
    });
    worker.on('error', (error) => this.fail(worker, error));
    worker.on('exit', (code) => this.fail(worker, new Error(`password check worker exited with code ${code}`)));
    this.worker = worker;
    return worker;
  }

  /** The worker died: what waited on it fails, and the next check starts a new one. */
  private fail(worker: Worker, error: Error): void {
    if (this.worker === worker) this.worker = undefined;
    for (const waiting of this.pending.values()) waiting.reject(error);
    this.pending.clear();
  }
}
