import { Global, Module } from '@nestjs/common';
import { RateLimits } from './rate-limits';

/** The gateway's rate limits, for every module of an app (see RateLimits). */
@Global()
@Module({ providers: [RateLimits], exports: [RateLimits] })
export class RateLimitsModule {}
