// Types for dom.js (plain JS served to the browser as is), for the TypeScript tests.
type Child = Node | string | number | null | undefined | false;
export const $: (selector: string, root?: ParentNode) => HTMLElement | null;
export function h(tag: string, attributes?: Record<string, unknown>, ...children: (Child | Child[])[]): HTMLElement;
export function setChildren(element: ParentNode, ...children: (Child | Child[])[]): void;
export function translateStatic(translate: (key: string) => string, root?: ParentNode): void;
export function applyLanguage(lang: string): void;
export const sleep: (ms: number) => Promise<void>;
export function sessionStore(): Storage | undefined;
export function keepingFocus(render: () => void, fallback?: HTMLElement | null): void;
