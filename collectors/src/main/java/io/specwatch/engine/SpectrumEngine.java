package io.specwatch.engine;

/**
 * Computes the singular-value spectrum of a matrix. Implementations are stateless apart from
 * their settings and may be called from one analysis thread at a time per instance.
 */
public interface SpectrumEngine {

    /** Short name used in benchmarks and logs. */
    String name();

    /** Decomposes {@code matrix} as far as {@code request} needs. The matrix must be finite. */
    Spectrum decompose(DenseMatrix matrix, SpectrumRequest request);

    /** Whether {@link #decompose} can return singular vectors (the monitor's dynamics need them). */
    default boolean computesVectors() {
        return true;
    }
}
