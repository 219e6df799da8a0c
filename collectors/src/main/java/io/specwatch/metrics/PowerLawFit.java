package io.specwatch.metrics;

import java.util.Arrays;

/**
 * WeightWatcher's power-law fit of the tail of an empirical spectral density
 * (docs/spectral-metrics.md §3): continuous Clauset–Shalizi–Newman MLE for every candidate xmin,
 * xmin chosen by the smallest one-sided Kolmogorov–Smirnov distance.
 *
 * <p>The result is exactly the one of the O(n²) scan the definition describes (same xmin, α and D
 * to rounding). It is faster because a candidate's scan stops as soon as one term reaches the best
 * distance found so far: such a candidate can no longer win, and its exact D is never reported.
 * Candidates on a coarse grid are scanned first so that the bound is tight early.
 *
 * @param alpha      fitted pdf exponent α, NaN when the fit failed
 * @param xmin       chosen lower bound of the tail, NaN when the fit failed
 * @param ksDistance one-sided KS distance D of the chosen candidate, NaN when the fit failed
 * @param sigma      standard error (α − 1)/√k, NaN when the fit failed
 * @param tailCount  k: number of fitted eigenvalues ≥ xmin (those above the 1e-5 floor)
 * @param fitted     n: number of eigenvalues above the floor that the fit saw
 */
public record PowerLawFit(double alpha, double xmin, double ksDistance, double sigma, int tailCount, int fitted) {

    /** Eigenvalues at or below this are left out of the fit (WeightWatcher's floor). */
    public static final double EIGENVALUE_FLOOR = 1e-5;
    /**
     * Eigenvalues closer than this in ln λ (a relative 1e-4) count as one value: eigenvalues
     * computed from float32 weights that should be equal differ by about 1e-6.
     */
    static final double SAME_VALUE_LOG_GAP = 1e-4;
    /**
     * A tail needs at least this many distinct values for a power law to be fitted to it: on a tail
     * of equal values the MLE divides by a rounding error, and two values are no distribution.
     * (ours; WeightWatcher reports an α of about 1e15 for equal eigenvalues)
     */
    static final int MIN_DISTINCT_TAIL_VALUES = 3;

    private static final int COARSE_CANDIDATES = 64;

    /** True when a tail exponent was found. */
    public boolean ok() {
        return !Double.isNaN(alpha);
    }

    /** Over-trained (α below 2) or under-trained (α above 6) as WeightWatcher labels it; null otherwise. */
    public String warning() {
        if (!ok()) {
            return null;
        }
        if (alpha < 2) {
            return "over-trained";
        }
        return alpha > 6 ? "under-trained" : null;
    }

    /**
     * Fits the tail of {@code eigenvalues}, which must be sorted ascending.
     * Returns a failed fit (NaN fields) when fewer than two eigenvalues lie above the floor or
     * no candidate gives α &gt; 1.
     */
    public static PowerLawFit fit(double[] eigenvalues) {
        return fit(eigenvalues, EIGENVALUE_FLOOR);
    }

    /** As {@link #fit(double[])}, leaving out the eigenvalues at or below {@code floor}. */
    public static PowerLawFit fit(double[] eigenvalues, double floor) {
        double[] x = aboveFloor(eigenvalues, floor);
        int n = x.length;
        if (n < 2) {
            return failed(n);
        }
        double[] logX = new double[n];
        for (int i = 0; i < n; i++) {
            logX[i] = Math.log(x[i]);
        }
        // suffix[i] = sum of ln x_j for j >= i, accumulated from the top
        double[] suffix = new double[n + 1];
        for (int i = n - 1; i >= 0; i--) {
            suffix[i] = suffix[i + 1] + logX[i];
        }
        Scan scan = new Scan(logX, suffix, distinctFromTop(logX));
        int candidates = n - 1;
        int stride = Math.max(1, candidates / COARSE_CANDIDATES);
        for (int i = 0; i < candidates; i += stride) {
            scan.consider(i);
        }
        // refine around the coarse winner first, then everything else
        int centre = scan.bestIndex;
        for (int i = Math.max(0, centre - stride); i < Math.min(candidates, centre + stride); i++) {
            scan.consider(i);
        }
        for (int i = 0; i < candidates; i++) {
            scan.consider(i);
        }
        if (scan.bestIndex < 0 || !(scan.bestAlpha > 1)) {
            return failed(n);
        }
        int k = n - scan.bestIndex;
        double alpha = scan.bestAlpha;
        return new PowerLawFit(alpha, x[scan.bestIndex], scan.bestD, (alpha - 1) / Math.sqrt(k), k, n);
    }

    /** α with xmin fixed at the median eigenvalue above the floor (the estimator Kothapalli et al. 2024 report beside the KS-selected one). NaN if fewer than 2. */
    public static double alphaHill(double[] eigenvalues) {
        return alphaHill(eigenvalues, EIGENVALUE_FLOOR);
    }

    /** As {@link #alphaHill(double[])}, leaving out the eigenvalues at or below {@code floor}. */
    public static double alphaHill(double[] eigenvalues, double floor) {
        double[] x = aboveFloor(eigenvalues, floor);
        int n = x.length;
        if (n < 2) {
            return Double.NaN;
        }
        int i = n / 2;
        int k = n - i;
        double logXmin = Math.log(x[i]);
        double[] logX = new double[n];
        for (int j = 0; j < n; j++) {
            logX[j] = Math.log(x[j]);
        }
        if (distinctFromTop(logX)[i] < MIN_DISTINCT_TAIL_VALUES) {
            return Double.NaN;
        }
        double sum = 0;
        for (int j = n - 1; j >= i; j--) {
            sum += Math.log(x[j]) - logXmin;
        }
        return sum > 0 ? 1 + k / sum : Double.NaN;
    }

    /** The maximum-likelihood α of the tail starting at index i of ascending x, given ln x and its suffix sums. */
    static double alphaAt(int i, double[] logX, double[] suffix) {
        int k = logX.length - i;
        double denominator = suffix[i] - k * logX[i];
        return 1 + k / denominator;
    }

    /** distinct[i]: the number of distinct values (at {@link #SAME_VALUE_LOG_GAP}) among x_i … x_{n−1}. */
    static int[] distinctFromTop(double[] logX) {
        int n = logX.length;
        int[] distinct = new int[n];
        for (int i = n - 1; i >= 0; i--) {
            distinct[i] = i == n - 1 ? 1 : distinct[i + 1] + (logX[i + 1] - logX[i] > SAME_VALUE_LOG_GAP ? 1 : 0);
        }
        return distinct;
    }

    static double[] aboveFloor(double[] ascending, double floor) {
        int first = 0;
        while (first < ascending.length && !(ascending[first] > floor)) {
            first++;
        }
        return Arrays.copyOfRange(ascending, first, ascending.length);
    }

    private static PowerLawFit failed(int fitted) {
        return new PowerLawFit(Double.NaN, Double.NaN, Double.NaN, Double.NaN, 0, fitted);
    }

    /** Running state of the candidate scan: each candidate is evaluated at most once. */
    private static final class Scan {
        final double[] logX;
        final double[] suffix;
        final int[] distinct;
        final boolean[] done;
        double bestD = Double.POSITIVE_INFINITY;
        double bestAlpha = Double.NaN;
        int bestIndex = -1;
        /** Data index of the largest deviation seen last: a likely large deviation for the next candidate. */
        int probe = -1;

        Scan(double[] logX, double[] suffix, int[] distinct) {
            this.logX = logX;
            this.suffix = suffix;
            this.distinct = distinct;
            this.done = new boolean[logX.length];
        }

        void consider(int i) {
            if (done[i]) {
                return;
            }
            done[i] = true;
            int n = logX.length;
            int k = n - i;
            double alpha = distinct[i] >= MIN_DISTINCT_TAIL_VALUES ? alphaAt(i, logX, suffix) : Double.NaN;
            double d;
            if (alpha > 1 && alpha < Double.POSITIVE_INFINITY) {
                d = distance(i, k, 1 - alpha);
            } else {
                d = 1;
            }
            if (d < bestD || (d == bestD && i < bestIndex)) {
                bestD = d;
                bestIndex = i;
                bestAlpha = alpha;
            }
        }

        /**
         * D_i, or any value that already proves candidate i cannot win (one term that is at least
         * the best distance so far, with the tie going to the earlier candidate).
         */
        private double distance(int i, int k, double exponent) {
            double lx = logX[i];
            boolean winsTies = i < bestIndex;
            if (probe > i && probe < i + k) {
                double t = term(probe - i, k, exponent, logX[probe] - lx);
                if (t > bestD || (t == bestD && !winsTies)) {
                    return t;
                }
            }
            double max = 0;
            int argMax = i;
            for (int m = 0; m < k; m++) {
                double t = term(m, k, exponent, logX[i + m] - lx);
                if (t > max) {
                    max = t;
                    argMax = i + m;
                    if (max > bestD || (max == bestD && !winsTies)) {
                        break;
                    }
                }
            }
            probe = argMax;
            return max;
        }

        private static double term(int m, int k, double exponent, double logRatio) {
            return Math.abs(1 - Math.exp(exponent * logRatio) - (double) m / k);
        }
    }

    /** This fit for the eigenvalues of the matrix times 2^e: xmin times 4^e, α and the rest unchanged. */
    public PowerLawFit timesPowerOfTwo(int e) {
        return new PowerLawFit(alpha, Math.scalb(xmin, 2 * e), ksDistance, sigma, tailCount, fitted);
    }
}
