import { PipeTransform } from '@nestjs/common';
import { parseInput } from '@app/identity';
import { z } from 'zod';

/** Validates a request body against a zod schema; a mismatch is a 400 naming each field. */
export class ZodValidationPipe<Schema extends z.ZodType> implements PipeTransform<unknown, z.output<Schema>> {
  constructor(readonly schema: Schema) {}

  transform(value: unknown): z.output<Schema> {
    return parseInput(this.schema, value);
  }
}
