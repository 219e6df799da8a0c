package io.specwatch.engine;

/**
 * What an engine computed for one matrix: eigenvalues λ = σ² of WᵀW, ascending, on the raw scale,
 * and optionally the top singular vectors.
 *
 * @param eigenvalues   ascending; all M of them when {@link #complete()}, else only the largest few
 * @param expectedCount M, the number of eigenvalues of the full spectrum
 * @param vectors       top singular triplets, or null when none were requested
 * @param engine        name of the engine that computed the eigenvalues (for a composite engine, the one it chose)
 */
public record Spectrum(double[] eigenvalues, int expectedCount, SingularVectors vectors, String engine) {

    /** True when every eigenvalue of WᵀW is present, as the ESD metrics need. */
    public boolean complete() {
        return eigenvalues.length == expectedCount;
    }
}
