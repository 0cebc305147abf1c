// Placeholder replaced below.
export async function runGrowth() {
  return undefined;
}
