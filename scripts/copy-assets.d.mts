export function copyAssets(): void;
