import { Module } from '@nestjs/common';
import { SecretsModule } from '../secrets/secrets.module';
import { DownstreamTokenIssuer } from './downstream-token.issuer';
import { SigningKeyRepository } from './signing-key.repository';
import { SIGNING_KEYS_OPTIONS, SigningKeysService } from './signing-keys.service';

/** Signing keys (generated, rotated, published) and the issuer of downstream tokens. */
@Module({
  imports: [SecretsModule],
  providers: [
    // The defaults; tests override this provider to move the clock or shorten the periods.
    { provide: SIGNING_KEYS_OPTIONS, useValue: {} },
    SigningKeyRepository,
    SigningKeysService,
    DownstreamTokenIssuer,
  ],
  exports: [SigningKeysService, DownstreamTokenIssuer],
})
export class SigningKeysModule {}
