import { z } from 'zod';
import { Limits } from '@bellhop/protocol';

const port = z.coerce.number().int().min(1).max(65535);

/** The environment the server reads, validated at boot (PROTOCOL.md, Configuration). */
export const envSchema = z
  .object({
    NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
    PORT: port.default(3000),
    DATABASE_URL: z
      .string()
      .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// or postgresql:// connection string')
      .optional(),
    DATA_DIR: z.string().min(1).default('./data'),
    JWT_SECRET: z
      .string()
      .refine((s) => Buffer.byteLength(s, 'utf8') >= 32, 'must be at least 32 bytes (use 32+ random bytes)')
      .optional(),
    PUBLIC_URL: z.url({ protocol: /^https?$/ }).optional(),
    ALLOWED_ORIGINS: z.string().optional(),
    TRUST_PROXY: z.enum(['0', '1']).optional(),
    ADMIN_USERNAME: z.string().regex(/^[A-Za-z0-9._@-]{3,64}$/, 'must be 3–64 letters, digits or . _ @ -').optional(),
    ADMIN_PASSWORD: z.string().min(8, 'must be at least 8 characters').max(256).optional(),
    HEARTBEAT_MS: z.coerce.number().int().min(Limits.heartbeatMinMs).max(Limits.heartbeatMaxMs).default(Limits.heartbeatDefaultMs),
    RETENTION_DAYS: z.coerce.number().int().min(1).max(36500).default(90),
    DATABASE_STATEMENT_TIMEOUT_MS: z.coerce.number().int().min(100).max(600_000).default(10_000),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    WEB_DIST_DIR: z.string().optional(),
  })
  .superRefine((env, ctx) => {
    if (env.NODE_ENV === 'production' && !env.JWT_SECRET) {
      ctx.addIssue({ code: 'custom', path: ['JWT_SECRET'], message: 'is required when NODE_ENV=production' });
    }
    if ((env.ADMIN_USERNAME === undefined) !== (env.ADMIN_PASSWORD === undefined)) {
      ctx.addIssue({ code: 'custom', path: ['ADMIN_PASSWORD'], message: 'ADMIN_USERNAME and ADMIN_PASSWORD go together' });
    }
    for (const origin of (env.ALLOWED_ORIGINS ?? '').split(',').map((s) => s.trim()).filter(Boolean)) {
      if (!isExactOrigin(origin)) ctx.addIssue({ code: 'custom', path: ['ALLOWED_ORIGINS'], message: `"${origin}" is not an exact origin like https://chat.example.com` });
    }
  });

function isExactOrigin(origin: string): boolean {
  try {
    const u = new URL(origin);
    return u.origin === origin && (u.protocol === 'http:' || u.protocol === 'https:');
  } catch {
    return false;
  }
}

export type Env = z.infer<typeof envSchema>;
