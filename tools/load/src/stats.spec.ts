import { histogramQuantile, parseHistogram, parseValue, percentile } from './stats';

describe('stats', () => {
  it('percentile is nearest-rank', () => {
    expect(percentile([5, 1, 4, 2, 3], 50)).toBe(3);
    expect(percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 99)).toBe(10);
    expect(percentile([], 50)).toBeNaN();
  });

  it('reads histograms and counters from Prometheus text and interpolates quantiles like histogram_quantile', () => {
    const text = [
      '# TYPE x_seconds histogram',
      'x_seconds_bucket{le="0.001",stage="a"} 50',
      'x_seconds_bucket{le="0.002",stage="a"} 90',
      'x_seconds_bucket{le="0.005",stage="a"} 100',
      'x_seconds_bucket{le="+Inf",stage="a"} 100',
      'x_seconds_bucket{le="0.001",stage="b"} 1',
      'y_total{code="A"} 2',
      'y_total{code="B"} 3',
    ].join('\n');
    const a = parseHistogram(text, 'x_seconds', { stage: 'a' });
    expect(a).toHaveLength(4);
    expect(histogramQuantile(a, 0.5)).toBeCloseTo(0.001);
    expect(histogramQuantile(a, 0.95)).toBeCloseTo(0.002 + 0.003 * 0.5);
    expect(histogramQuantile([], 0.5)).toBeNaN();
    expect(parseValue(text, 'y_total')).toBe(5);
    expect(parseValue(text, 'y_total', { code: 'B' })).toBe(3);
  });
});
