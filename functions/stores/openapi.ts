import { z } from 'zod';
import { SECURITY, answer, guarded, problems, type Paths, StorePath } from '../../shared/openapi';
import { PATCH_TYPES, StoreSettingsPatch, StoreSettingsView } from './api';

const SETTINGS: z.input<typeof StoreSettingsView> = {
  storeId: 'main',
  open: true,
  machines: 2,
  maxOrdersInFlight: 20,
  maxOpenOrdersPerCustomer: 2,
  lowStockCups: 10,
  unavailable: ['vanilla-latte'],
  brewSeconds: { americano: 40, 'cafe-latte': 60 },
  timeZone: 'Asia/Seoul',
  updatedAt: '2026-11-27T09:00:00.000Z',
};
const PATCH: z.input<typeof StoreSettingsPatch> = { open: false, brewSeconds: { americano: 40, 'iced-tea': null }, maxOrdersInFlight: null };
const Tagged = z.object({ etag: z.string().meta({ description: 'The settings\' tag, for `If-Match` on a patch (`"defaults"` for a store never configured).' }) });

export const paths: Paths = {
  '/stores/{storeId}': {
    get: {
      operationId: 'getStore',
      tags: ['stores'],
      summary: "A store's operating settings (public: the kiosk reads them)",
      description: 'Every field, defaults included: a store never configured is open, with no limits of its own. `If-None-Match` with the current tag answers 304.',
      security: SECURITY.anyone,
      requestParams: { path: StorePath },
      responses: { '200': answer('The settings.', StoreSettingsView, SETTINGS, Tagged), '304': { description: 'Not modified since the tag in `If-None-Match`.' }, ...problems([400]) },
    },
    patch: {
      operationId: 'patchStore',
      tags: ['stores'],
      summary: "Change a store's settings (JSON Merge Patch)",
      description: 'Send only the fields to change; `null` puts a field back to its default, and `brewSeconds` merges per drink (`null` drops a drink\'s own time).',
      security: SECURITY.staff,
      requestParams: {
        path: StorePath,
        header: z.object({ 'If-Match': z.string().optional().meta({ description: 'Patch only if the settings still carry this tag (else 412).' }) }),
      },
      requestBody: { required: true, content: Object.fromEntries(PATCH_TYPES.map((type) => [type, { schema: StoreSettingsPatch, example: PATCH }])) },
      responses: { '200': answer('The settings after the patch.', StoreSettingsView, { ...SETTINGS, open: false }, Tagged), ...problems([400, ...guarded, 412, 413, 415]) },
    },
  },
};
