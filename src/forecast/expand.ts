/**
 * How inactive calendar buckets enter a topic-share series:
 * - 'skip': the series holds active buckets only (what FeatureStore.topicSeries builds); time is activity.
 * - 'zeros': every calendar slot between the first active bucket and the end gets a row; an inactive slot
 *   has share 0 in every topic.
 *
 * Why literal zeros rather than carrying the previous shares or a uniform row: "zero activity" means the
 * user spent no attention on any topic in that slot, so the series become activity-weighted shares
 * (attention per topic per slot). Carrying the previous row would fake persistence and lengthen the series
 * with copies (ARIMA would read a lull as stability); a uniform row would invent interest in topics the
 * user never touched and pull every forecast towards 1/K. Zeros keep the series NaN-free, and because
 * forecastShares clips and renormalises the K forecasts (falling back to the history mean if all clip to
 * 0), a lull lowers the level of every topic alike without changing which topics lead — while still
 * telling the models that recent activity was sparse (a fading topic fades faster than an active one).
 */
export type InactiveMode = 'skip' | 'zeros';

/**
 * series: K topic series over T active buckets; slots: the calendar slot of each active bucket (strictly
 * increasing integers). `until` (zeros mode): the slot the forecast is for; inactive slots between the
 * last active bucket and it are appended as zero rows too, so horizon 1 means "the slot `until`".
 */
export function expandSeries(
  series: readonly (readonly number[])[],
  slots: readonly number[],
  mode: InactiveMode,
  until?: number,
): number[][] {
  const T = slots.length;
  series.forEach((s, k) => {
    if (s.length !== T)
      throw new Error(`expandSeries: topic ${k} has ${s.length} points but ${T} slots were given`);
  });
  slots.forEach((s, i) => {
    if (!Number.isInteger(s) || (i > 0 && s <= slots[i - 1])) {
      throw new Error(
        `expandSeries: slots must be strictly increasing integers, got ${slots[i - 1]} then ${s} at ${i}`,
      );
    }
  });
  if (mode === 'skip') return series.map((s) => Array.from(s));
  if (mode !== 'zeros')
    throw new Error(`expandSeries: mode must be 'skip' or 'zeros', got ${JSON.stringify(mode)}`);
  if (T === 0) return series.map(() => []);
  const last = until === undefined ? slots[T - 1] : until - 1;
  if (!Number.isInteger(last) || last < slots[T - 1]) {
    throw new Error(
      `expandSeries: until must be an integer after the last active slot ${slots[T - 1]}, got ${until}`,
    );
  }
  const length = last - slots[0] + 1;
  return series.map((s) => {
    const out = new Array<number>(length).fill(0);
    slots.forEach((slot, i) => {
      out[slot - slots[0]] = s[i];
    });
    return out;
  });
}
