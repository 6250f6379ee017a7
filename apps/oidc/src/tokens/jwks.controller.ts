import { Controller, Get, Header } from '@nestjs/common';
import { PublicJwks, SigningKeysService } from '@app/identity';

/** Publishes the keys that verify downstream tokens. */
@Controller('.well-known')
export class JwksController {
  constructor(private readonly signingKeys: SigningKeysService) {}

  // Five minutes of caching: far below the hour a successor key is published before it signs.
  @Get('jwks.json')
  @Header('Cache-Control', 'public, max-age=300')
  @Header('Content-Type', 'application/json; charset=utf-8')
  jwks(): Promise<PublicJwks> {
    return this.signingKeys.jwks();
  }
}
