// The cold verify + decide targets' ratios from one algorithm's results (`results.cold[alg]`),
// each between two contenders timed in the same interleaved rotation, so at the same moments of
// the machine: tessera against fast-jwt in the synchronous rotation, and tessera ("tessera
// beside jose", the same synchronous call) against jose in the asynchronous one. Shared by
// bench/run.mjs (the targets) and bench/report.mjs (the table). Results files written before
// "tessera beside jose" existed fall back to the synchronous rotation's tessera.

/** tessera's time in jose's rotation (ns). */
const besideJose = (c) => c['tessera beside jose'] ?? c.tessera;

/**
 * tessera against the faster of jose and fast-jwt: the larger of the two same-rotation ratios
 * (tessera / contender), with the contender's name and both times.
 */
export function againstBest(c) {
  const vsFastJwt = { ratio: c.tessera / c['fast-jwt'], who: 'fast-jwt', tessera: c.tessera, other: c['fast-jwt'] };
  const vsJose = { ratio: besideJose(c) / c.jose, who: 'jose', tessera: besideJose(c), other: c.jose };
  return vsJose.ratio > vsFastJwt.ratio ? vsJose : vsFastJwt;
}

/** How many times faster than jose tessera is (jose / tessera, same rotation), with both times. */
export function speedupOverJose(c) {
  return { ratio: c.jose / besideJose(c), tessera: besideJose(c), jose: c.jose };
}
