// The cold verify + decide targets' ratios from one algorithm's results (`results.cold[alg]`),
// each between two contenders timed in the same interleaved rotation, so at the same moments of
// the machine: tessera against fast-jwt in the synchronous rotation, and tessera against jose
// in a rotation of those two alone ("tessera beside jose", "jose beside tessera"). Shared by
// bench/run.mjs (the targets) and bench/report.mjs (the table). Results files written before
// that rotation existed have no pair: there the ratio against jose divides times from two
// rotations, and `sameRotation` is false.

/** tessera and jose from their own rotation, or (older files) from two. */
function josePair(c) {
  const sameRotation = c['tessera beside jose'] !== undefined && c['jose beside tessera'] !== undefined;
  return sameRotation
    ? { tessera: c['tessera beside jose'], jose: c['jose beside tessera'], sameRotation }
    : { tessera: c.tessera, jose: c.jose, sameRotation };
}

/**
 * tessera against the faster of jose and fast-jwt: the larger of the two ratios (tessera /
 * contender, each pair from one rotation), with the contender's name and both times.
 */
export function againstBest(c) {
  const pair = josePair(c);
  const vsFastJwt = { ratio: c.tessera / c['fast-jwt'], who: 'fast-jwt', tessera: c.tessera, other: c['fast-jwt'], sameRotation: true };
  const vsJose = { ratio: pair.tessera / pair.jose, who: 'jose', tessera: pair.tessera, other: pair.jose, sameRotation: pair.sameRotation };
  return vsJose.ratio > vsFastJwt.ratio ? vsJose : vsFastJwt;
}

/** How many times faster than jose tessera is (jose / tessera), with both times. */
export function speedupOverJose(c) {
  const pair = josePair(c);
  return { ratio: pair.jose / pair.tessera, tessera: pair.tessera, jose: pair.jose, sameRotation: pair.sameRotation };
}
