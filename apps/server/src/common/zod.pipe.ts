import { type PipeTransform } from '@nestjs/common';
import { formatIssues } from '@bellhop/protocol';
import type { z } from 'zod';
import { AppException, ErrorKind } from './app-exception.js';

export class ValidationException extends AppException {
  constructor(messages: string[]) {
    super(ErrorKind.BadRequest, 'Validation failed', { messages });
  }
}

/** Validates a body, query or params object with a protocol schema: 400 with `"<path>: <problem>"` lines. */
export class ZodPipe<S extends z.ZodType> implements PipeTransform<unknown, z.output<S>> {
  constructor(private readonly schema: S) {}
  transform(value: unknown): z.output<S> {
    const parsed = this.schema.safeParse(value ?? {});
    if (!parsed.success) throw new ValidationException(formatIssues(parsed.error));
    return parsed.data;
  }
}
