import { Module } from '@nestjs/common';
import { SigningKeysModule } from '@app/identity';
import { JwksController } from './jwks.controller';

/**
 * Downstream tokens over HTTP: serves `GET /.well-known/jwks.json` and gives
 * importers the DownstreamTokenIssuer (and SigningKeysService) for `POST /auth/token`.
 */
@Module({
  imports: [SigningKeysModule],
  controllers: [JwksController],
  exports: [SigningKeysModule],
})
export class DownstreamTokensModule {}
