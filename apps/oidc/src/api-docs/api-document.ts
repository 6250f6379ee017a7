import { INestApplication, RequestMethod, Type } from '@nestjs/common';
import {
  GUARDS_METADATA,
  HTTP_CODE_METADATA,
  METHOD_METADATA,
  MODULE_METADATA,
  PATH_METADATA,
  ROUTE_ARGS_METADATA,
} from '@nestjs/common/constants';
import { RouteParamtypes } from '@nestjs/common/enums/route-paramtypes.enum';
import type { OpenAPIObject, OperationObject, ParameterObject, ResponseObject } from '@nestjs/swagger';
import type { z } from 'zod';
import { ADMIN_API_SCHEME, ADMIN_API_SUMMARIES, adminApiComponents } from '../admin/admin-api.openapi';
import { AdminAuthGuard } from '../admin/admin-auth.guard';
import { AdminModule } from '../admin/admin.module';
import { ZodValidationPipe } from '../admin/zod-validation.pipe';
import { PRODUCTS_API_SCHEME, productsApiComponents } from '../products-api/products-api.openapi';
import { ProductsApiGuard, REQUIRED_SCOPE } from '../products-api/products-api.guard';
import { ProductsApiModule } from '../products-api/products-api.module';
import {
  API_OPERATION,
  API_PARAMETERS,
  API_QUERY,
  API_RESPONSES,
  API_RESULT,
  ApiOperationMetadata,
  ApiParameterMetadata,
  ApiResponseMetadata,
  ApiResultMetadata,
} from './api-docs.decorators';
import { JsonSchema, queryParameters, requestSchema } from './zod-json-schema';

/** The modules whose controllers the document describes: the admin API and the products API, nothing else. */
export const DESCRIBED_MODULES: readonly Type[] = [AdminModule, ProductsApiModule];

/** A route as the controllers declare it, its path in OpenAPI's form (`/admin/v1/tenants/{slug}`). */
export interface DeclaredRoute {
  readonly controller: Type;
  readonly handler: string;
  readonly method: Lowercase<keyof typeof RequestMethod>;
  readonly path: string;
}

/** Every route of the described modules' controllers, read from their decorators. */
export function declaredRoutes(): DeclaredRoute[] {
  return DESCRIBED_MODULES.flatMap((module) =>
    (Reflect.getMetadata(MODULE_METADATA.CONTROLLERS, module) as Type[]).flatMap((controller) => {
      const base = String(Reflect.getMetadata(PATH_METADATA, controller) ?? '');
      return Object.getOwnPropertyNames(controller.prototype).flatMap((handler): DeclaredRoute[] => {
        const fn = (controller.prototype as Record<string, unknown>)[handler];
        const path = typeof fn === 'function' ? (Reflect.getMetadata(PATH_METADATA, fn) as unknown) : undefined;
        if (handler === 'constructor' || typeof path !== 'string') return [];
        const method = RequestMethod[Reflect.getMetadata(METHOD_METADATA, fn as object) as RequestMethod];
        const segments = [base, path].flatMap((part) => part.split('/')).filter(Boolean);
        return [
          {
            controller,
            handler,
            method: method.toLowerCase() as DeclaredRoute['method'],
            path: `/${segments.map((segment) => segment.replace(/^:(\w+)$/, '{$1}')).join('/')}`,
          },
        ];
      });
    }),
  );
}

/**
 * The OpenAPI 3.1 document of the admin API and the products API, generated from
 * the controllers: @nestjs/swagger reads their paths, methods, path parameters and
 * statuses; request bodies and query strings are the zod schemas the routes
 * validate with (the `ZodValidationPipe` of a parameter, or `@ApiZodQuery`);
 * security follows each controller's guard (the admin token, or a client-credentials
 * token with the scope of `@RequiresScope`); success bodies come from `@ApiResult`;
 * names, texts and the parameters a service reads itself from the other decorators
 * of api-docs.decorators.ts.
 */
export async function describeApis(app: INestApplication, publicUrl: string): Promise<OpenAPIObject> {
  // Loaded here, on the document's first request, rather than at every boot.
  const { DocumentBuilder, SwaggerModule } = await import('@nestjs/swagger');
  const base = publicUrl.replace(/\/+$/, '');
  const products = productsApiComponents(base);
  const admin = adminApiComponents();
  const config = new DocumentBuilder()
    .setOpenAPIVersion('3.1.0')
    .setTitle('Identity gateway API')
    .setVersion('1')
    .setDescription(
      'The admin API (`/admin/v1`, for the operator) and the products API (`/api/v1`, for products). ' +
        'Errors are `{"error": {"code", "message"}}`. ' +
        products.description,
    )
    .addServer(base)
    .build();
  config.components = {
    securitySchemes: { ...admin.securitySchemes, ...products.securitySchemes },
    responses: { ...admin.responses, ...products.responses },
    schemas: { ...admin.schemas, ...products.schemas },
  } as unknown as OpenAPIObject['components'];
  config.tags = [...products.tags, ...admin.tags];
  const operationIds = new Set<string>();
  const document = SwaggerModule.createDocument(app, config, {
    include: [...DESCRIBED_MODULES],
    // Tags by API and controller (`admin: scim-tokens`, `events`), set below.
    autoTagControllers: false,
    operationIdFactory: (controller, method) => {
      const id = `${lowerFirst(controller.replace(/Controller$/, ''))}${upperFirst(method)}`;
      if (operationIds.has(id)) throw new Error(`two routes would share the operationId ${id}`);
      operationIds.add(id);
      return id;
    },
  });
  for (const route of declaredRoutes()) {
    const item = document.paths[route.path] as Record<string, OperationObject | undefined> | undefined;
    const operation = item?.[route.method];
    if (!operation) throw new Error(`${route.method.toUpperCase()} ${route.path} is missing from the document`);
    complete(operation, route);
  }
  return document;
}

/** Adds to swagger's operation what the route's zod schemas, guard and `@ApiResult` say. */
function complete(operation: OperationObject, route: DeclaredRoute): void {
  const handler = (route.controller.prototype as Record<string, object>)[route.handler];
  const validated = validatedArguments(route);
  const query = validated.query ?? (Reflect.getMetadata(API_QUERY, handler) as z.ZodType | undefined);
  // Swagger lists a whole-query or whole-body argument as a nameless parameter: the schemas replace it.
  const declared = (Reflect.getMetadata(API_PARAMETERS, handler) ?? []) as ApiParameterMetadata[];
  const parameters = ((operation.parameters ?? []) as ParameterObject[]).filter(
    (parameter) => parameter.name && !declared.some((own) => own.name === parameter.name && own.in === parameter.in),
  );
  parameters.push(...(declared as ParameterObject[]));
  if (query) parameters.push(...(queryParameters(query) as ParameterObject[]));
  operation.parameters = parameters;
  const info = Reflect.getMetadata(API_OPERATION, handler) as ApiOperationMetadata | undefined;
  if (info) Object.assign(operation, info);
  operation.summary ??= ADMIN_API_SUMMARIES[operation.operationId ?? ''];
  for (const { status, response } of (Reflect.getMetadata(API_RESPONSES, handler) ?? []) as ApiResponseMetadata[]) {
    operation.responses[status] = response as unknown as ResponseObject;
  }
  if (validated.body) {
    operation.requestBody = {
      required: true,
      content: { 'application/json': { schema: requestSchema(validated.body) } },
    };
  }
  const guards = [
    ...((Reflect.getMetadata(GUARDS_METADATA, route.controller) ?? []) as unknown[]),
    ...((Reflect.getMetadata(GUARDS_METADATA, handler) ?? []) as unknown[]),
  ];
  if (guards.includes(AdminAuthGuard)) operation.security = [{ [ADMIN_API_SCHEME]: [] }];
  else if (!guards.includes(ProductsApiGuard)) throw new Error(`${route.path} has neither API's guard`);
  else {
    const scope = (Reflect.getMetadata(REQUIRED_SCOPE, handler) ??
      Reflect.getMetadata(REQUIRED_SCOPE, route.controller)) as string | undefined;
    if (!scope) throw new Error(`${route.path} has no @RequiresScope`);
    operation.security = [{ [PRODUCTS_API_SCHEME]: [scope] }];
  }
  operation.tags = operation.tags?.length ? operation.tags : [tagOf(route)];
  const result = Reflect.getMetadata(API_RESULT, handler) as ApiResultMetadata | undefined;
  // Swagger adds the success status only when no other response is declared.
  const status = String(Reflect.getMetadata(HTTP_CODE_METADATA, handler) ?? (route.method === 'post' ? 201 : 200));
  if (!Object.keys(operation.responses).some((code) => code.startsWith('2'))) {
    operation.responses[status] = { description: '' };
  }
  const [success] = Object.entries(operation.responses).filter(([code]) => code.startsWith('2'));
  if (result && success) {
    const schema =
      typeof result.schema === 'string' ? { $ref: `#/components/schemas/${result.schema}` } : result.schema;
    operation.responses[success[0]] = {
      description: result.description,
      content: { 'application/json': { schema: schema } },
    };
  } else if (success && !(success[1] as { description?: string }).description) {
    (success[1] as { description: string }).description = success[0] === '204' ? 'Done; no body.' : 'Done.';
  }
  const refusals = route.path.startsWith('/admin/')
    ? {
        ...(query || validated.body || parameters.length > 0 ? { '400': 'AdminBadRequest' } : {}),
        '401': 'AdminUnauthorized',
        '403': 'AdminForbidden',
        ...(parameters.some((parameter) => parameter.in === 'path') ? { '404': 'AdminNotFound' } : {}),
      }
    : { '400': 'BadRequest', '401': 'Unauthorized', '403': 'Forbidden', '404': 'NotFound' };
  for (const [status, name] of Object.entries(refusals)) {
    operation.responses[status] ??= { $ref: `#/components/responses/${name}` };
  }
}

/** The zod schemas of the route's `@Body(new ZodValidationPipe(…))` and `@Query(new ZodValidationPipe(…))`. */
function validatedArguments(route: DeclaredRoute): { body?: z.ZodType; query?: z.ZodType } {
  const args = (Reflect.getMetadata(ROUTE_ARGS_METADATA, route.controller, route.handler) ?? {}) as Record<
    string,
    { data?: unknown; pipes?: unknown[] }
  >;
  const found: { body?: z.ZodType; query?: z.ZodType } = {};
  for (const [key, arg] of Object.entries(args)) {
    const pipe = arg.pipes?.find(
      (candidate): candidate is ZodValidationPipe<z.ZodType> => candidate instanceof ZodValidationPipe,
    );
    if (!pipe || arg.data !== undefined) continue;
    const type = Number(key.split(':')[0]);
    if (type === Number(RouteParamtypes.BODY)) found.body = pipe.schema;
    if (type === Number(RouteParamtypes.QUERY)) found.query = pipe.schema;
  }
  return found;
}

/** `ScimTokensController` of the admin API → `admin: scim-tokens`; `EventsController` → `events`. */
function tagOf(route: DeclaredRoute): string {
  const name = route.controller.name
    .replace(/Controller$/, '')
    .replace(/(?<=[a-z0-9])([A-Z])/g, '-$1')
    .toLowerCase();
  return route.path.startsWith('/admin/') ? `admin: ${name}` : name;
}

const lowerFirst = (text: string): string => text.charAt(0).toLowerCase() + text.slice(1);
const upperFirst = (text: string): string => text.charAt(0).toUpperCase() + text.slice(1);

export type { JsonSchema };
