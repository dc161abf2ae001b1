import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { LoginFailureCounter } from './login-failure-counter.entity';

@Injectable()
export class LoginFailureCountersRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** The counters of these keys that exist. */
  find(keys: string[]): Promise<LoginFailureCounter[]> {
    return this.dataSource.getRepository(LoginFailureCounter).createQueryBuilder('counter').where('counter.key IN (:...keys)', { keys }).getMany();
  }

  /**
   * Counts one failure; a count whose last failure is older than `decaySeconds` starts again from one. Answers the new
   * count.
   */
  async countFailure(key: string, decaySeconds: number): Promise<number> {
    const [row]: Array<{ failures: number }> = await this.dataSource.query(
      `INSERT INTO login_failure_counters AS counter (key, failures, last_failed_at) VALUES ($1, 1, now())
       ON CONFLICT (key) DO UPDATE SET
         failures = CASE WHEN counter.last_failed_at IS NULL OR counter.last_failed_at <= now() - make_interval(secs => $2)
                         THEN 1 ELSE counter.failures + 1 END,
         last_failed_at = now()
       RETURNING failures`,
      [key, decaySeconds],
    );
    return row.failures;
  }

  /** A success: the failures of that key are forgiven, and the success is remembered. */
  async markSucceeded(key: string): Promise<void> {
    await this.dataSource.query(
      `INSERT INTO login_failure_counters AS counter (key, failures, last_succeeded_at) VALUES ($1, 0, now())
       ON CONFLICT (key) DO UPDATE SET failures = 0, last_succeeded_at = now()`,
      [key],
    );
  }

  /** Forgets counters with nothing newer than `seconds` ago. */
  async deleteOlderThan(seconds: number): Promise<void> {
    await this.dataSource.query(
      `DELETE FROM login_failure_counters
        WHERE GREATEST(last_failed_at, last_succeeded_at) < now() - make_interval(secs => $1)`,
      [seconds],
    );
  }
}
