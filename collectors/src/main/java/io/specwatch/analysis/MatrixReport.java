package io.specwatch.analysis;

import io.specwatch.engine.SingularVectors;
import io.specwatch.metrics.MarchenkoPasturFit;
import io.specwatch.metrics.PowerLawFit;
import io.specwatch.metrics.RankMetrics;
import io.specwatch.metrics.SpectralPhase;

/**
 * Everything measured on one weight tensor at one moment: the numbers of docs/spectral-metrics.md
 * §2–§5 and §7. Parts that do not apply are null (never made up): no fits below
 * {@link LayerAnalyzer#MIN_EIGENVALUES} eigenvalues, no MP fit for a bare eigenvalue sample,
 * nothing but the non-finite count for a non-finite tensor. Built by {@link LayerAnalyzer}.
 *
 * @param name             tensor name
 * @param shape            tensor shape as stored
 * @param rows             rows of the analysed matrix (of one slice when pooled); 0 for an eigenvalue sample
 * @param cols             columns of the analysed matrix (of one slice when pooled); 0 for an eigenvalue sample
 * @param nEvals           eigenvalues in the ESD (M, or positions·M when slices are pooled)
 * @param rank             norms and ranks, null for non-finite input
 * @param tail             the power-law tail metrics ({@link TailFit#NONE} when not attempted)
 * @param mp               the Marchenko–Pastur fit, null when not attempted or when no σ qualifies
 * @param correlationTraps spikes of the shuffled matrix, null when not requested or not fittable
 * @param phase            spectral phase label
 * @param status           outcome of the analysis
 * @param nonFiniteValues  NaN or infinite entries in the tensor
 * @param engine           name of the engine that produced the eigenvalues, null when none ran
 * @param seconds          wall time of decomposition and metrics
 * @param eigenvalues      the ESD, ascending; null for non-finite input
 * @param vectors          top singular triplets when they were requested (not for pooled slices), else null
 */
public record MatrixReport(String name, long[] shape, int rows, int cols, int nEvals, RankMetrics rank, TailFit tail,
                           MarchenkoPasturFit mp, Integer correlationTraps, SpectralPhase phase, Status status,
                           int nonFiniteValues, String engine, double seconds, double[] eigenvalues,
                           SingularVectors vectors) {

    /** Outcome of analysing one tensor. */
    public enum Status {
        /** All metrics that apply were computed. */
        OK("ok"),
        /** The power-law fit found no tail (α is null); the other metrics are valid. */
        FIT_FAILED("fit_failed"),
        /** Fewer than {@link LayerAnalyzer#MIN_EIGENVALUES} eigenvalues: norms and ranks only. */
        TOO_SMALL("too_small"),
        /** NaN or infinite weights: no decomposition. */
        NONFINITE("nonfinite");

        private final String label;

        Status(String label) {
            this.label = label;
        }

        public String label() {
            return label;
        }
    }

    /** A tensor with {@code count} non-finite entries: nothing decomposed. */
    static MatrixReport nonFinite(String name, long[] shape, int rows, int cols, int nEvals, int count, double seconds) {
        return new MatrixReport(name, shape, rows, cols, nEvals, null, TailFit.NONE, null, null, SpectralPhase.NONFINITE,
                Status.NONFINITE, count, null, seconds, null, null);
    }

    /** The KS-selected power-law fit, null when none was attempted. */
    public PowerLawFit powerLaw() {
        return tail.powerLaw();
    }

    /** α with xmin at the median, null when not attempted or not fittable. */
    public Double alphaHill() {
        return tail.alphaHill();
    }

    /** α · log10 λ_max, null without a successful fit. */
    public Double alphaWeighted() {
        return tail.alphaWeighted();
    }

    /** log10 Σ λ^α, null without a successful fit. */
    public Double logAlphaNorm() {
        return tail.logAlphaNorm();
    }

    /** #{λ ≥ xmin} over all eigenvalues, null without a successful fit. */
    public Integer tailSize() {
        return tail.tailSize();
    }

    /** The k largest singular values, largest first (k ≤ {@code count}); empty for non-finite input. */
    public double[] topSingularValues(int count) {
        if (eigenvalues == null) {
            return new double[0];
        }
        int k = Math.min(count, eigenvalues.length);
        double[] top = new double[k];
        for (int i = 0; i < k; i++) {
            top[i] = Math.sqrt(eigenvalues[eigenvalues.length - 1 - i]);
        }
        return top;
    }

    /** WeightWatcher's over-/under-trained label for a successful fit, else null. */
    public String warning() {
        return powerLaw() == null ? null : powerLaw().warning();
    }

    /**
     * This report for the matrix times 2^e: what an analysis of float64 data divided by 2^e
     * ({@link TensorValues}) reports in the data's own units. Scale-free numbers (α, ranks,
     * spikes, phase, status) are unchanged; σ, λ and norms are multiplied (and become ±∞ or 0
     * only where float64 itself cannot hold them); logarithms are shifted exactly.
     */
    MatrixReport timesPowerOfTwo(int e) {
        if (e == 0 || rank == null) {
            return this;
        }
        double[] lambda = null;
        if (eigenvalues != null) {
            lambda = new double[eigenvalues.length];
            for (int i = 0; i < lambda.length; i++) {
                lambda[i] = Math.scalb(eigenvalues[i], 2 * e);
            }
        }
        SingularVectors v = vectors;
        if (v != null) {
            double[] sigma = new double[v.singularValues().length];
            for (int i = 0; i < sigma.length; i++) {
                sigma[i] = Math.scalb(v.singularValues()[i], e);
            }
            v = new SingularVectors(sigma, v.left(), v.right());
        }
        return new MatrixReport(name, shape, rows, cols, nEvals, rank.timesPowerOfTwo(e), tail.timesPowerOfTwo(e),
                mp == null ? null : mp.timesPowerOfTwo(e), correlationTraps, phase, status, nonFiniteValues, engine, seconds,
                lambda, v);
    }
}
