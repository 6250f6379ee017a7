import { Module } from '@nestjs/common';
import { APP_CONFIG, ResolvedConfig } from '@app/platform';
import { SecretBox } from './secret-box';

/** Provides the SecretBox keyed with SECRETS_KEY. */
@Module({
  providers: [
    {
      provide: SecretBox,
      inject: [APP_CONFIG],
      useFactory: (config: ResolvedConfig) => new SecretBox(config.secretsKey),
    },
  ],
  exports: [SecretBox],
})
export class SecretsModule {}
