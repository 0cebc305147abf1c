import { z } from 'zod';

/** The drinks every store sells. Prices are in won (integer, no minor unit). */
export const MenuItem = z
  .object({
    id: z.string(),
    name: z.string(),
    nameKo: z.string(),
    price: z.int().min(0).meta({ description: 'In won (no minor unit).' }),
    temperature: z.enum(['hot', 'iced']),
  })
  .meta({ id: 'MenuItem' });
export type MenuItem = z.infer<typeof MenuItem>;

export const MENU: readonly MenuItem[] = Object.freeze([
  { id: 'americano', name: 'Americano', nameKo: '아메리카노', price: 4_500, temperature: 'hot' },
  { id: 'iced-americano', name: 'Iced Americano', nameKo: '아이스 아메리카노', price: 4_800, temperature: 'iced' },
  { id: 'cafe-latte', name: 'Cafe Latte', nameKo: '카페 라테', price: 5_000, temperature: 'hot' },
  { id: 'vanilla-latte', name: 'Vanilla Latte', nameKo: '바닐라 라테', price: 5_500, temperature: 'hot' },
  { id: 'iced-tea', name: 'Iced Tea', nameKo: '아이스티', price: 4_000, temperature: 'iced' },
]);

const byId = new Map(MENU.map((m) => [m.id, m]));

export function menuItem(id: string): MenuItem | undefined {
  return byId.get(id);
}
