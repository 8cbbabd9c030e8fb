// How training divides the images a DatasetSource gives it (src/domain/dataset-source.ts).

/** Keras' validation_split: the LAST `fraction` of the items validate (split_at = int(count * (1 - fraction))). */
export function splitValidation(count: number, fraction: number): { trainCount: number; valCount: number } {
  if (!(fraction >= 0 && fraction < 1)) throw new Error(`validation fraction must be in [0, 1), got ${fraction}`);
  const trainCount = Math.floor(count * (1 - fraction));
  return { trainCount, valCount: count - trainCount };
}
