const STOP = new Set(
  'the a an of and in on to for with at from by is it its as or be this that'
    .split(' ')
    .concat(['s', 'vs', 'ii']),
);

/** Lower-cased word tokens of a title, without years, numbers or stop words. */
export function titleWords(title: string): string[] {
  return (title.toLowerCase().match(/[\p{L}][\p{L}'-]+/gu) ?? []).filter((w) => !STOP.has(w));
}

/**
 * c-TF-IDF style labels: for each topic, the terms most over-represented in it compared with the whole
 * catalogue (tf within the topic × log(1 + mean topic size / overall frequency)).
 */
export function topicLabels(
  termsPerItem: readonly (readonly string[])[],
  assign: Int32Array,
  k: number,
  top = 3,
): string[] {
  const overall = new Map<string, number>();
  const perTopic = Array.from({ length: k }, () => new Map<string, number>());
  const sizes = new Int32Array(k);
  termsPerItem.forEach((terms, i) => {
    sizes[assign[i]]++;
    for (const t of new Set(terms)) {
      overall.set(t, (overall.get(t) ?? 0) + 1);
      perTopic[assign[i]].set(t, (perTopic[assign[i]].get(t) ?? 0) + 1);
    }
  });
  const meanSize = assign.length / k;
  return perTopic.map((counts, c) => {
    const scored = [...counts]
      .filter(([, n]) => n >= 2 || sizes[c] < 10)
      .map(([t, n]) => [t, (n / Math.max(1, sizes[c])) * Math.log(1 + meanSize / overall.get(t)!)] as const)
      .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
    const label = scored.slice(0, top).map(([t]) => t);
    return label.length ? label.join(' · ') : `topic ${c}`;
  });
}
