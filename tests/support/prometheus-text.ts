/**
 * A strict reader of Prometheus' text exposition format (0.0.4), checking what `promtool check metrics`
 * checks that matters here: HELP and TYPE before samples, valid names and labels, no duplicate series,
 * counters named `_total`, histograms with ascending `le`, cumulative buckets and `+Inf` equal to `_count`.
 */
export interface Sample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

export interface Exposition {
  readonly types: ReadonlyMap<string, string>;
  readonly samples: ReadonlyArray<Sample>;
  /** The sum of a family's samples matching the labels given. */
  sum(name: string, labels?: Readonly<Record<string, string>>): number;
}

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const SAMPLE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)(?: \d+)?$/;

const parseLabels = (text: string | undefined): Record<string, string> => {
  const labels: Record<string, string> = {};
  if (text === undefined || text === '') return labels;
  const pair = /\s*([^=,\s]+)="((?:[^"\\]|\\.)*)"\s*,?/gy;
  let consumed = 0;
  for (let m = pair.exec(text); m !== null; m = pair.exec(text)) {
    if (!LABEL.test(m[1]!)) throw new Error(`bad label name ${m[1]}`);
    if (m[1]! in labels) throw new Error(`label ${m[1]} twice`);
    labels[m[1]!] = m[2]!.replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c));
    consumed = pair.lastIndex;
  }
  if (consumed !== text.length) throw new Error(`unparsable labels {${text}}`);
  return labels;
};

const familyOf = (name: string, types: ReadonlyMap<string, string>): string => {
  for (const suffix of ['_bucket', '_sum', '_count']) {
    const base = name.endsWith(suffix) ? name.slice(0, -suffix.length) : undefined;
    if (base !== undefined && (types.get(base) === 'histogram' || types.get(base) === 'summary')) return base;
  }
  return name;
};

export const parseExposition = (text: string): Exposition => {
  const types = new Map<string, string>();
  const helps = new Set<string>();
  const samples: Sample[] = [];
  const seen = new Set<string>();
  for (const [index, line] of text.split('\n').entries()) {
    const at = `line ${index + 1}: ${line}`;
    if (line === '') continue;
    if (line.startsWith('# HELP ')) {
      const name = line.split(' ')[2]!;
      if (!NAME.test(name) || helps.has(name)) throw new Error(`bad or repeated HELP, ${at}`);
      helps.add(name);
      continue;
    }
    if (line.startsWith('# TYPE ')) {
      const [, , name, type] = line.split(' ');
      if (!NAME.test(name!) || types.has(name!)) throw new Error(`bad or repeated TYPE, ${at}`);
      if (!['counter', 'gauge', 'histogram', 'summary', 'untyped'].includes(type!)) throw new Error(`type? ${at}`);
      if (type === 'counter' && !name!.endsWith('_total')) throw new Error(`a counter not named _total, ${at}`);
      types.set(name!, type!);
      continue;
    }
    if (line.startsWith('#')) continue;
    const m = SAMPLE.exec(line);
    if (m === null) throw new Error(`unparsable sample, ${at}`);
    const labels = parseLabels(m[2]);
    // Values as Go's ParseFloat reads them: NaN and Inf in any case.
    const raw = m[3]!.toLowerCase();
    const value = raw === '+inf' || raw === 'inf' ? Infinity : raw === '-inf' ? -Infinity : Number(m[3]);
    if (Number.isNaN(value) && raw !== 'nan') throw new Error(`bad value, ${at}`);
    const family = familyOf(m[1]!, types);
    if (!types.has(family)) throw new Error(`sample before its TYPE, ${at}`);
    const key = `${m[1]}${JSON.stringify(Object.entries(labels).sort())}`;
    if (seen.has(key)) throw new Error(`duplicate series, ${at}`);
    seen.add(key);
    samples.push({ name: m[1]!, labels, value });
  }
  for (const [family, type] of types) {
    if (type !== 'histogram') continue;
    const series = new Map<string, Sample[]>();
    for (const s of samples.filter((x) => x.name === `${family}_bucket`)) {
      const { le: _le, ...rest } = s.labels;
      const key = JSON.stringify(Object.entries(rest).sort());
      series.set(key, [...(series.get(key) ?? []), s]);
    }
    for (const [key, buckets] of series) {
      let lastLe = -Infinity;
      let lastCount = 0;
      for (const b of buckets) {
        const le = b.labels['le'] === '+Inf' ? Infinity : Number(b.labels['le']);
        if (!(le > lastLe) || b.value < lastCount) throw new Error(`${family}: buckets not ascending/cumulative`);
        lastLe = le;
        lastCount = b.value;
      }
      const count = samples.find((s) => s.name === `${family}_count`
        && JSON.stringify(Object.entries(s.labels).sort()) === key)?.value;
      if (lastLe !== Infinity || count !== lastCount) throw new Error(`${family}: +Inf bucket ≠ _count`);
    }
  }
  return {
    types, samples,
    sum: (name, labels = {}) => samples.filter((s) => s.name === name
      && Object.entries(labels).every(([k, v]) => s.labels[k] === v)).reduce((a, s) => a + s.value, 0),
  };
};
