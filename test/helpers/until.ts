/** Waits for a condition the code under test will make true, checking after each turn of the event loop. */
export async function until(condition: () => boolean, what = 'condition', timeoutMs = 15_000): Promise<void> {
  // Bounded (keep it under jest's test timeout); the message says what never happened.
  const started = Date.now();
  while (!condition()) {
    if (Date.now() - started > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
