import { createDocument, type oas31 } from 'zod-openapi';
import { mergePaths } from '../../shared/openapi';
import { paths as beverages } from '../beverages/openapi';
import { paths as health } from '../health/openapi';
import { paths as inventory } from '../inventory/openapi';
import { paths as kiosk } from '../kiosk/openapi';
import { paths as notifications } from '../notifications/openapi';
import { paths as operations } from '../operations/openapi';
import { paths as orders } from '../orders/openapi';
import { paths as sales } from '../sales/openapi';
import { paths as stores } from '../stores/openapi';
import { paths as documentation } from './paths';

/**
 * Every service's route descriptions (functions/<service>/openapi.ts). A new route is described in its
 * service's file; a new service adds its `paths` here. test/unit/openapi.unit.test.ts fails while a
 * registered route is missing.
 */
export const SERVICE_PATHS = mergePaths(health, orders, inventory, beverages, notifications, kiosk, operations, stores, sales, documentation);

let built: oas31.OpenAPIObject | undefined;

/** The OpenAPI 3.1 document, built once per process from the zod schemas. */
export function openApiDocument(): oas31.OpenAPIObject {
  built ??= createDocument({
    openapi: '3.1.0',
    info: {
      title: 'Unmanned Cafe',
      version: '1.0.0',
      description:
        'The order-processing API of a self-service cafe chain. Errors are `application/problem+json` (RFC 9457). ' +
        'List routes page with `?limit=` and `?cursor=`, announcing the next page in a `Link` header. ' +
        'With `AUTH_MODE=off` (the local default) no route asks for a token.',
    },
    servers: [{ url: '/' }],
    tags: ['health', 'orders', 'inventory', 'beverages', 'notifications', 'kiosk', 'operations', 'stores', 'sales', 'documentation'].map((name) => ({ name })),
    components: {
      securitySchemes: {
        bearer: {
          type: 'http',
          scheme: 'bearer',
          bearerFormat: 'JWT',
          description: 'AUTH_MODE=local: a token from the local host (`POST /.auth/local/token`); AUTH_MODE=entra: a Microsoft Entra ID access token with the Staff or Operator app role.',
        },
      },
    },
    paths: SERVICE_PATHS,
  });
  return built;
}
