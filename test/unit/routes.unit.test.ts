import { describe, expect, it } from 'vitest';
import { RouteTable, compileRoute, matchRoute } from '../../local-host/src/routes';

function table() {
  const routes = new RouteTable<string>('');
  routes.add('kiosk/{*asset}', ['GET'], 'page');
  routes.add('kiosk/orders/{id}', ['GET'], 'kioskOrder');
  routes.add('kiosk/orders', ['GET'], 'board');
  routes.add('orders', ['GET'], 'list');
  routes.add('orders', ['POST'], 'place');
  routes.add('orders/{id}', ['GET'], 'get');
  routes.add('items/{n:int}', ['GET'], 'intItem');
  routes.add('items/{name}', ['GET'], 'namedItem');
  routes.add('files/{name?}', ['GET'], 'optional');
  return routes;
}

describe('route templates', () => {
  it('prefers literal segments to parameters and parameters to catch-alls', () => {
    const routes = table();
    expect(routes.resolve('/kiosk/orders', 'GET').route?.target).toBe('board');
    expect(routes.resolve('/kiosk/orders/abc', 'GET')).toMatchObject({ route: { target: 'kioskOrder' }, params: { id: 'abc' } });
    expect(routes.resolve('/kiosk/staff', 'GET')).toMatchObject({ route: { target: 'page' }, params: { asset: 'staff' } });
  });

  it('lets a catch-all match nothing, as /kiosk does', () => {
    const match = table().resolve('/kiosk', 'GET');
    expect(match.route?.target).toBe('page');
    expect(match.params).toEqual({});
  });

  it('tells the same route apart by method', () => {
    const routes = table();
    expect(routes.resolve('/orders', 'POST').route?.target).toBe('place');
    expect(routes.resolve('/orders', 'GET').route?.target).toBe('list');
    expect(routes.resolve('/orders/42', 'GET').route?.target).toBe('get');
    // No route takes DELETE there, so there is no match (the host answers 404, as Azure does).
    expect(routes.resolve('/orders/42', 'DELETE').route).toBeUndefined();
  });

  it('passes over a more specific route that does not take the method', () => {
    const routes = table();
    routes.add('items/special', ['POST'], 'special');
    expect(routes.resolve('/items/special', 'POST').route?.target).toBe('special');
    expect(routes.resolve('/items/special', 'GET')).toMatchObject({ route: { target: 'namedItem' }, params: { name: 'special' } });
  });

  it('matches literals case-insensitively and decodes parameters', () => {
    expect(table().resolve('/ORDERS/a%20b', 'GET')).toMatchObject({ route: { target: 'get' }, params: { id: 'a b' } });
  });

  it('applies constraints before falling back to a plain parameter', () => {
    const routes = table();
    expect(routes.resolve('/items/12', 'GET').route?.target).toBe('intItem');
    expect(routes.resolve('/items/twelve', 'GET').route?.target).toBe('namedItem');
  });

  it('supports optional trailing parameters', () => {
    const routes = table();
    expect(routes.resolve('/files', 'GET').route?.target).toBe('optional');
    expect(routes.resolve('/files/a', 'GET').params).toEqual({ name: 'a' });
  });

  it('does not match extra or missing segments', () => {
    expect(table().resolve('/orders/1/2', 'GET').route).toBeUndefined();
    expect(matchRoute(compileRoute('orders/{id}', ['GET'], 'x').segments, ['orders'])).toBeUndefined();
  });

  it('puts the host routePrefix in front of every route', () => {
    const routes = new RouteTable<string>('api');
    routes.add('orders', ['GET'], 'list');
    expect(routes.resolve('/api/orders', 'GET').route?.target).toBe('list');
    expect(routes.resolve('/orders', 'GET').route).toBeUndefined();
  });

  it('refuses a template it cannot honour rather than serving it wrongly', () => {
    expect(() => compileRoute('orders/{id:unknown}', ['GET'], 'x')).toThrow(/Unsupported route constraint/);
  });
});
