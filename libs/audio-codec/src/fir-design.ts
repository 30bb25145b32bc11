/**
 * Kaiser-windowed sinc low-pass design for the resampler. Formulas: J. F. Kaiser, "Nonrecursive digital filter
 * design using the I0-sinh window function" (1974), as given in Oppenheim & Schafer, Discrete-Time Signal
 * Processing, 3rd ed., §7.5.3: beta = 0.1102 (A - 8.7) for A > 50 dB, and length N = (A - 7.95) / (2.285 Δω).
 */

/** Zeroth-order modified Bessel function of the first kind, by its power series (converges fast for x < 50). */
export function besselI0(x: number): number {
  const q = (x * x) / 4;
  let term = 1;
  let sum = 1;
  for (let k = 1; k < 200; k++) {
    term *= q / (k * k);
    sum += term;
    if (term < sum * 1e-17) break;
  }
  return sum;
}

export function kaiserBeta(attenuationDb: number): number {
  if (attenuationDb > 50) return 0.1102 * (attenuationDb - 8.7);
  if (attenuationDb >= 21) return 0.5842 * (attenuationDb - 21) ** 0.4 + 0.07886 * (attenuationDb - 21);
  return 0;
}

/**
 * How many zero crossings of the sinc each side of the centre a Kaiser low-pass needs for `attenuationDb` of
 * stop-band rejection and a transition band `transition` wide, both relative to the low (output for decimation,
 * input for interpolation) sample rate. From Kaiser's length formula with Δω = 2π·transition·(low rate / rate):
 * N / (rate / low rate) = 2·Z, so Z = (A - 7.95) / (4π · 2.285 · transition).
 */
export function zeroCrossingsFor(attenuationDb: number, transition: number): number {
  return Math.ceil((attenuationDb - 7.95) / (4 * Math.PI * 2.285 * transition));
}

/**
 * The continuous kernel, `u` in input samples: scale·sinc(scale·u)·kaiser(scale·u / zeroCrossings), where `scale`
 * is min(1, to/from) so the cut-off sits at the lower of the two Nyquist frequencies.
 */
export function windowedSinc(u: number, scale: number, zeroCrossings: number, beta: number, i0Beta: number): number {
  const x = scale * u;
  const edge = x / zeroCrossings;
  if (edge <= -1 || edge >= 1) return 0;
  if (x !== 0 && Number.isInteger(x)) return 0; // exact sinc zero (Math.sin(πn) is only ≈1e-16)
  const sinc = x === 0 ? 1 : Math.sin(Math.PI * x) / (Math.PI * x);
  return scale * sinc * (besselI0(beta * Math.sqrt(1 - edge * edge)) / i0Beta);
}

export function gcd(a: number, b: number): number {
  while (b !== 0) [a, b] = [b, a % b];
  return a;
}
