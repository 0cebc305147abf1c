import type { HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import { z } from 'zod';
import type { ServiceDeps } from '../../shared/deps';
import { ifMatchAllows, ifNoneMatchHits, toHttpEtag } from '../../shared/etags';
import { json, parseJsonBody, parseWith, pathId, problem } from '../../shared/http';
import { StoreId } from '../../shared/identifiers';
import { withConflictRetry } from '../../shared/retry';
import { SETTINGS_ROW, StoreSettings, fromRow, toRow, type StoreSettingsReader, type StoreSettingsRow } from '../../shared/storeSettings';
import { getOrUndefined, isConflict, isPreconditionFailed } from '../../shared/tables';
import { TABLES } from '../../shared/topology';
import { StoreSettingsPatch, applyMergePatch, sameSettings } from './patch';

export { StoreSettingsPatch };

/** `GET /stores/{storeId}` and the answer to a patch: every setting, defaults included. */
export const StoreSettingsView = StoreSettings.extend({
  storeId: StoreId,
  /** When staff last changed the settings; absent for a store never configured. */
  updatedAt: z.iso.datetime().optional(),
});
export type StoreSettingsView = z.infer<typeof StoreSettingsView>;

/**
 * The tag of a store never configured: its settings are the defaults, a representation like any other,
 * so `If-Match: *` or this tag lets the first patch through, and a patch made meanwhile changes the tag.
 */
export const DEFAULTS_ETAG = '"defaults"';

/** The body types a patch is taken in: the merge-patch type, and plain JSON for simple clients. */
export const PATCH_TYPES = ['application/merge-patch+json', 'application/json'] as const;
const ACCEPT_PATCH = PATCH_TYPES.join(', ');

function mediaType(request: HttpRequest): string | undefined {
  return request.headers.get('content-type')?.split(';')[0]?.trim().toLowerCase() || undefined;
}

interface Stored {
  settings: StoreSettings;
  etag: string;
  updatedAt?: string;
}

function stored(row: (StoreSettingsRow & { etag?: string }) | undefined): Stored {
  return row?.etag
    ? { settings: fromRow(row), etag: toHttpEtag(row.etag), updatedAt: row.updatedAt }
    : { settings: fromRow(undefined), etag: DEFAULTS_ETAG };
}

function view(storeId: string, { settings, updatedAt }: Stored): StoreSettingsView {
  return { storeId, ...settings, ...(updatedAt ? { updatedAt } : {}) };
}

const preconditionFailed = (storeId: string) =>
  problem(412, 'precondition-failed', 'Precondition failed', `The settings of store ${storeId} are not the ones If-Match names (they changed); read them again and retry.`);

/**
 * The stores service: each store's operating settings, one row per store in the `stores` table. Every
 * other service reads them through the cached reader; this process's copy is forgotten on each change.
 */
export function createStoresApi(deps: ServiceDeps, reader: StoreSettingsReader) {
  const stores = () => deps.table(TABLES.stores);

  async function read(storeId: string) {
    return getOrUndefined<StoreSettingsRow>(await stores(), storeId, SETTINGS_ROW);
  }

  return {
    /** Public: the kiosk shows a closed store and sold-out drinks from it. Always read fresh (one point read). */
    async getStore(request: HttpRequest): Promise<HttpResponseInit> {
      const storeId = pathId(StoreId, request.params.storeId, 'store');
      const current = stored(await read(storeId));
      const headers = { etag: current.etag, 'cache-control': 'no-cache', 'accept-patch': ACCEPT_PATCH };
      if (ifNoneMatchHits(request.headers.get('if-none-match'), current.etag, { wildcard: true })) return { status: 304, headers };
      return json(200, view(storeId, current), headers);
    },

    /**
     * Applies a JSON Merge Patch. Read, merge, write under the row's ETag (create when there is no row):
     * two staff changing different fields at once both land, the later one decided again on the row the
     * earlier wrote. `If-Match` is checked against the row each attempt read, so a client that names
     * the settings it saw never overwrites changes it has not seen (412). A patch that is not valid,
     * or not a merge patch, writes nothing.
     */
    async patchStore(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
      const storeId = pathId(StoreId, request.params.storeId, 'store');
      const type = mediaType(request);
      if (type !== undefined && !(PATCH_TYPES as readonly string[]).includes(type)) {
        throw problem(415, 'unsupported-media-type', 'Unsupported media type', `Send the patch as ${PATCH_TYPES.join(' or ')}.`, undefined, { 'accept-patch': ACCEPT_PATCH });
      }
      const patch = await parseJsonBody(request, StoreSettingsPatch);
      const ifMatch = request.headers.get('if-match');
      const client = await stores();
      const result = await withConflictRetry(
        async (): Promise<Stored> => {
          const row = await read(storeId);
          const current = stored(row);
          if (ifMatch !== null && !ifMatchAllows(ifMatch, current.etag)) throw preconditionFailed(storeId);
          const next = parseWith(StoreSettings, applyMergePatch(current.settings, patch), 'patched settings');
          if (sameSettings(current.settings, next)) return current;
          const entity = toRow(storeId, next, deps.now());
          const written = row ? await client.updateEntity(entity, 'Replace', { etag: row.etag }) : await client.createEntity(entity);
          return { settings: next, etag: written.etag ? toHttpEtag(written.etag) : DEFAULTS_ETAG, updatedAt: entity.updatedAt };
        },
        // Another patch wrote first (412 on the update, 409 on a create): decide again on its row.
        (error) => isPreconditionFailed(error) || isConflict(error),
      );
      reader.forget(storeId);
      context.log(`store settings changed storeId=${storeId} fields=${Object.keys(patch).join(',') || '(none)'}`);
      return json(200, view(storeId, result), { etag: result.etag, 'accept-patch': ACCEPT_PATCH });
    },
  };
}
