import { INestApplication, Inject, Injectable } from '@nestjs/common';
import { OpenAPIObject } from '@nestjs/swagger';
import { APP_CONFIG, ResolvedConfig } from '@app/platform';
import { describeApis } from './api-document';
import { renderApiDocs } from './api-docs.page';

/**
 * The OpenAPI document of the running app and its page, built from the app's
 * controllers on first use (not at boot: most processes never serve it) and kept:
 * they depend only on the code and PUBLIC_URL.
 */
@Injectable()
export class ApiDocs {
  private app: INestApplication | undefined;
  private built: { readonly document: OpenAPIObject; readonly page: string } | undefined;

  constructor(@Inject(APP_CONFIG) private readonly config: ResolvedConfig) {}

  /** The app whose controllers the document describes (`createOidcApp` hands it over). */
  describe(app: INestApplication): void {
    this.app = app;
  }

  document(): OpenAPIObject {
    return this.build().document;
  }

  page(): string {
    return this.build().page;
  }

  private build(): { readonly document: OpenAPIObject; readonly page: string } {
    if (!this.built) {
      if (!this.app) throw new Error('ApiDocs.describe(app) was not called');
      const document = describeApis(this.app, this.config.publicUrl);
      this.built = { document, page: renderApiDocs(document) };
    }
    return this.built;
  }
}
