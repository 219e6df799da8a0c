package io.specwatch.metrics;

import java.util.Arrays;

/**
 * An empirical spectral density: the eigenvalues λ = σ² of WᵀW on the raw scale (no division by
 * N), sorted ascending, with the shape of the matrix (or of each pooled convolution slice) they
 * came from.
 *
 * @param eigenvalues ascending; never mutated after construction
 * @param n           larger dimension N of the matrix (of one slice when pooled); 0 for a bare eigenvalue sample
 * @param m           smaller dimension M of the matrix (of one slice when pooled); 0 for a bare eigenvalue sample
 */
public record Esd(double[] eigenvalues, int n, int m) {

    public Esd {
        if (eigenvalues.length == 0) {
            throw new IllegalArgumentException("an ESD needs at least one eigenvalue");
        }
        for (int i = 1; i < eigenvalues.length; i++) {
            if (eigenvalues[i] < eigenvalues[i - 1]) {
                throw new IllegalArgumentException("eigenvalues must be sorted ascending");
            }
        }
    }

    /** An ESD from eigenvalues in any order (copied, sorted; tiny negative round-off clamped to 0). */
    public static Esd of(double[] eigenvalues, int n, int m) {
        double[] sorted = eigenvalues.clone();
        for (int i = 0; i < sorted.length; i++) {
            sorted[i] = Math.max(0, sorted[i]);
        }
        Arrays.sort(sorted);
        return new Esd(sorted, n, m);
    }

    /** Number of eigenvalues (M, or kh·kw·M for pooled convolution slices). */
    public int size() {
        return eigenvalues.length;
    }

    /** Aspect ratio Q = N/M ≥ 1, NaN for a bare eigenvalue sample. */
    public double q() {
        return m > 0 ? (double) n / m : Double.NaN;
    }

    /** True when the shape is known (not a bare eigenvalue sample). */
    public boolean hasShape() {
        return m > 0;
    }

    public double max() {
        return eigenvalues[eigenvalues.length - 1];
    }

    public double sum() {
        double s = 0;
        for (double v : eigenvalues) {
            s += v;
        }
        return s;
    }
}
