package io.specwatch.engine;

/**
 * What the requested metrics need from a decomposition.
 *
 * @param allEigenvalues every eigenvalue (the ESD metrics: power law, MP fit, ranks)
 * @param vectors        number of top singular triplets to return (0: none; dynamics need some)
 */
public record SpectrumRequest(boolean allEigenvalues, int vectors) {

    public SpectrumRequest {
        if (vectors < 0) {
            throw new IllegalArgumentException("vectors must be >= 0, got " + vectors);
        }
        if (!allEigenvalues && vectors == 0) {
            throw new IllegalArgumentException("a request must ask for eigenvalues, vectors or both");
        }
    }

    /** The full ESD, no vectors: what {@code specwatch analyze} needs. */
    public static SpectrumRequest eigenvaluesOnly() {
        return new SpectrumRequest(true, 0);
    }

    /** Only the top k singular triplets. */
    public static SpectrumRequest topK(int k) {
        return new SpectrumRequest(false, k);
    }
}
