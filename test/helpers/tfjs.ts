/** The @tensorflow/tfjs module. */
export type Tf = typeof import('@tensorflow/tfjs');

/**
 * @tensorflow/tfjs on its cpu backend (plain JavaScript, the same answers on
 * every runtime), ready to use. Rejects where the package cannot load, so a
 * suite can skip itself: `await tfjsOnCpu().catch(() => null)`.
 */
export async function tfjsOnCpu(): Promise<Tf> {
  const tf = await import('@tensorflow/tfjs');
  await tf.setBackend('cpu');
  await tf.ready();
  return tf;
}
