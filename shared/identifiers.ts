import { z } from 'zod';

/** The shapes of the contract's identifiers, one definition for HTTP input and events alike. */
export const StoreId = z.string().regex(/^[a-z0-9-]{1,40}$/, 'A store id is 1 to 40 characters of a-z, 0-9 and -');
export const CustomerId = z.string().min(1).max(64);
/** Ids this app generates (see newOrderId); anything else names no order. */
export const OrderId = z.string().regex(/^[a-z0-9]{1,64}$/, 'Not an order id');
/** `limit` of a listing route. */
export const ListLimit = z.coerce.number().int().min(1).max(1000).default(100);
