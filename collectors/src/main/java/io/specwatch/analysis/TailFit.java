package io.specwatch.analysis;

import io.specwatch.metrics.PowerLawFit;

/**
 * The power-law tail metrics of one ESD (docs/spectral-metrics.md §3). Parts that do not apply
 * are null: everything when no fit was attempted, all but {@code powerLaw} and {@code alphaHill}
 * when the KS fit failed.
 *
 * @param powerLaw      the KS-selected fit (its fields are NaN when it failed)
 * @param alphaHill     α with xmin at the median eigenvalue
 * @param alphaWeighted α · log10 λ_max
 * @param logAlphaNorm  log10 Σ λ^α
 * @param tailSize      #{λ ≥ xmin} over all eigenvalues
 */
public record TailFit(PowerLawFit powerLaw, Double alphaHill, Double alphaWeighted, Double logAlphaNorm, Integer tailSize) {

    /** No fit attempted. */
    public static final TailFit NONE = new TailFit(null, null, null, null, null);

    /** True when the KS fit found a tail. */
    public boolean ok() {
        return powerLaw != null && powerLaw.ok();
    }

    /** Fits the tail of ascending eigenvalues with λ_max {@code lambdaMax}, above {@code floor}. */
    static TailFit of(double[] eigenvalues, double lambdaMax, double floor) {
        PowerLawFit fit = PowerLawFit.fit(eigenvalues, floor);
        double hill = PowerLawFit.alphaHill(eigenvalues, floor);
        Double alphaHill = Double.isFinite(hill) ? hill : null;
        if (!fit.ok()) {
            return new TailFit(fit, alphaHill, null, null, null);
        }
        double alpha = fit.alpha();
        double sum = 0;
        int tail = 0;
        for (double l : eigenvalues) {
            sum += Math.pow(l, alpha);
            if (l >= fit.xmin()) {
                tail++;
            }
        }
        return new TailFit(fit, alphaHill, alpha * Math.log10(lambdaMax), Math.log10(sum), tail);
    }

    /** This tail for the matrix times 2^e: α·log10 λ_max and log10 Σλ^α move by α·2e·log10 2, xmin by 4^e. */
    TailFit timesPowerOfTwo(int e) {
        if (powerLaw == null) {
            return this;
        }
        PowerLawFit fit = powerLaw.timesPowerOfTwo(e);
        if (!ok()) {
            return new TailFit(fit, alphaHill, alphaWeighted, logAlphaNorm, tailSize);
        }
        double shift = powerLaw.alpha() * 2 * e * Math.log10(2);
        return new TailFit(fit, alphaHill, alphaWeighted + shift, logAlphaNorm + shift, tailSize);
    }
}
