import type { Metric, Registry } from 'prom-client';

/** A value of a metric as a prom-client registry reads it from `get()`. */
interface MetricValue {
  readonly metricName?: string;
  readonly labels: Readonly<Record<string, string | number>>;
  readonly value: number;
}

/** One label set's count, latency sum and latency buckets (not cumulative: summed at a scrape). */
interface Tally {
  readonly labels: Readonly<Record<'method' | 'route' | 'status', string>>;
  count: number;
  sum: number;
  readonly buckets: Float64Array;
}

export interface ResponseTalliesOptions {
  readonly countName: string;
  readonly countHelp: string;
  readonly durationName: string;
  readonly durationHelp: string;
  /** Upper bounds of the latency buckets, in seconds, ascending. */
  readonly buckets: readonly number[];
}

/**
 * The responses of an app counted by method, route pattern and status, with their latency in
 * buckets, shown to Prometheus as a counter and a histogram of the app's prom-client registry
 * (same names, labels and text as prom-client's own Counter and Histogram would give).
 *
 * Why by hand: prom-client's `inc` and `observe` check every label and hash the label set at
 * each call, and every response makes both calls: about 6 µs of a SCIM lookup's ~200 µs
 * (docs/PERFORMANCE.md). Here a response is three map lookups and three additions; the
 * registry still writes the exposition, and the work of building it moves to the scrape.
 */
export class ResponseTallies {
  /** route → method → status → tally: no key string built per response. */
  private readonly tallies = new Map<string, Map<string, Map<number, Tally>>>();

  constructor(private readonly options: ResponseTalliesOptions) {}

  /** Registers the counter and the histogram with `registry`. */
  registerWith(registry: Registry): void {
    const { countName, countHelp, durationName, durationHelp } = this.options;
    registry.registerMetric(this.metric(countName, countHelp, 'counter', () => this.countValues()));
    registry.registerMetric(this.metric(durationName, durationHelp, 'histogram', () => this.durationValues()));
  }

  record(method: string, route: string, status: number, seconds: number): void {
    const tally = this.tallyOf(method, route, status);
    tally.count += 1;
    tally.sum += seconds;
    const bounds = this.options.buckets;
    for (let index = 0; index < bounds.length; index++) {
      if (seconds <= bounds[index]) {
        tally.buckets[index] += 1;
        return;
      }
    }
  }

  private tallyOf(method: string, route: string, status: number): Tally {
    let methods = this.tallies.get(route);
    if (!methods) this.tallies.set(route, (methods = new Map<string, Map<number, Tally>>()));
    let statuses = methods.get(method);
    if (!statuses) methods.set(method, (statuses = new Map<number, Tally>()));
    let tally = statuses.get(status);
    if (!tally) {
      tally = {
        labels: { method, route, status: String(status) },
        count: 0,
        sum: 0,
        buckets: new Float64Array(this.options.buckets.length),
      };
      statuses.set(status, tally);
    }
    return tally;
  }

  private *all(): Generator<Tally> {
    for (const methods of this.tallies.values()) {
      for (const statuses of methods.values()) yield* statuses.values();
    }
  }

  private countValues(): MetricValue[] {
    return [...this.all()].map((tally) => ({ labels: { ...tally.labels }, value: tally.count }));
  }

  private durationValues(): MetricValue[] {
    const name = this.options.durationName;
    const values: MetricValue[] = [];
    for (const tally of this.all()) {
      let cumulative = 0;
      this.options.buckets.forEach((bound, index) => {
        cumulative += tally.buckets[index];
        values.push({ metricName: `${name}_bucket`, labels: { le: bound, ...tally.labels }, value: cumulative });
      });
      values.push(
        { metricName: `${name}_bucket`, labels: { le: '+Inf', ...tally.labels }, value: tally.count },
        { metricName: `${name}_sum`, labels: { ...tally.labels }, value: tally.sum },
        { metricName: `${name}_count`, labels: { ...tally.labels }, value: tally.count },
      );
    }
    return values;
  }

  /** What a prom-client registry asks of a metric: its name, help, type, values, and a reset. */
  private metric(
    name: string,
    help: string,
    type: 'counter' | 'histogram',
    values: () => MetricValue[],
  ): Metric<string> {
    const metric = {
      name,
      help,
      type,
      aggregator: 'sum',
      get: () => Promise.resolve({ name: metric.name, help, type, aggregator: 'sum', values: values() }),
      reset: () => this.tallies.clear(),
    };
    // prom-client types its registry's metrics as its own classes; it only calls these members.
    return metric as unknown as Metric<string>;
  }
}
