import { Injectable } from '@nestjs/common';
import { argon2id, hash, verify } from 'argon2';

/** Hashes the passwords IdPs sync (Okta's "Sync Password") with argon2id. */
@Injectable()
export class PasswordHasher {
  /** OWASP's argon2id baseline (19 MiB, 2 iterations, 1 lane): about 30 ms of one core here (docs/PERFORMANCE.md). */
  hash(password: string): Promise<string> {
    return hash(password, { type: argon2id, memoryCost: 19_456, timeCost: 2, parallelism: 1 });
  }

  /** Whether `password` is the one behind `passwordHash`; a malformed hash is simply no match. */
  async matches(passwordHash: string, password: string): Promise<boolean> {
    try {
      return await verify(passwordHash, password);
    } catch {
      return false;
    }
  }
}
