import { Injectable } from '@nestjs/common';
import { type Algorithm, type Options, hash, verify } from '@node-rs/argon2';

// `Algorithm` is an ambient const enum, which isolated-module compilers cannot inline.
const ARGON2ID = 2 as Algorithm;

/** argon2id at the OWASP minimum the protocol asks for: m = 19 MiB, t = 2, p = 1. */
export const ARGON2_OPTIONS: Options = { algorithm: ARGON2ID, memoryCost: 19_456, timeCost: 2, parallelism: 1 };

@Injectable()
export class PasswordService {
  // Verified against when the username is unknown, so that case costs as much as a wrong password.
  private readonly dummyHash = hash('bellhop-dummy-password', ARGON2_OPTIONS);

  hash(password: string): Promise<string> {
    return hash(password, ARGON2_OPTIONS);
  }

  /** False for a wrong password or an unreadable stored hash. */
  async verify(passwordHash: string, password: string): Promise<boolean> {
    try {
      return await verify(passwordHash, password);
    } catch {
      return false;
    }
  }

  /** Spends the time of one verification and fails. */
  async verifyNothing(password: string): Promise<false> {
    await this.verify(await this.dummyHash, password);
    return false;
  }
}
