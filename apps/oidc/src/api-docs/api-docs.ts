import { INestApplication, Inject, Injectable } from '@nestjs/common';
import type { OpenAPIObject } from '@nestjs/swagger';
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
  private built: Promise<{ readonly document: OpenAPIObject; readonly page: string }> | undefined;

  constructor(@Inject(APP_CONFIG) private readonly config: ResolvedConfig) {}

  /** The app whose controllers the document describes (`createOidcApp` hands it over). */
  describe(app: INestApplication): void {
    this.app = app;
  }

  async document(): Promise<OpenAPIObject> {
    return (await this.build()).document;
  }

  async page(): Promise<string> {
    return (await this.build()).page;
  }

  private build(): Promise<{ readonly document: OpenAPIObject; readonly page: string }> {
    const app = this.app;
    if (!app) throw new Error('ApiDocs.describe(app) was not called');
    this.built ??= describeApis(app, this.config.publicUrl).then(
      (document) => ({ document, page: renderApiDocs(document) }),
      (error: unknown) => {
        this.built = undefined; // the next request tries again
        throw error;
      },
    );
    return this.built;
  }
}
