package io.specwatch.engine;

/**
 * Picks an engine per matrix from its smaller dimension M and what the request needs:
 *
 * <ul>
 *   <li>up to {@code float64Limit}: the float64 Gram engine, for the eigenvalues and, when asked,
 *       the top-k vectors in the same decomposition (exact down to the smallest eigenvalue, and
 *       free of ND4J's per-call overhead, which dominates small matrices);</li>
 *   <li>above it, full ESD: the float32 Gram engine; with vectors, the randomized engine adds the
 *       top-k triplets (together far cheaper than an SVD with vectors);</li>
 *   <li>above it, top-k only: the randomized engine.</li>
 * </ul>
 * The limits default to the break-even points measured in docs/benchmarks.md.
 */
public final class AutomaticEngine implements SpectrumEngine {

    /** Default M up to which the Gram matrix is accumulated in float64. */
    public static final int DEFAULT_FLOAT64_LIMIT = 1024;
    private final int float64Limit;
    private final SpectrumEngine gram32 = GramEigenEngine.float32();
    private final SpectrumEngine gram64 = GramEigenEngine.float64();
    private final SpectrumEngine randomized;

    public AutomaticEngine(int float64Limit, SpectrumEngine randomized) {
        this.float64Limit = float64Limit;
        this.randomized = randomized;
    }

    /** Default limit, randomized products on the host. */
    public static AutomaticEngine withDefaults(long seed) {
        return new AutomaticEngine(DEFAULT_FLOAT64_LIMIT, RandomizedSvdEngine.onHost(seed));
    }

    @Override
    public String name() {
        return "auto";
    }

    /** The engine that serves the eigenvalues of this request (the one named in reports). */
    public SpectrumEngine choose(DenseMatrix matrix, SpectrumRequest request) {
        if (matrix.smaller() <= float64Limit) {
            return gram64;
        }
        return request.allEigenvalues() ? gram32 : randomized;
    }

    @Override
    public Spectrum decompose(DenseMatrix matrix, SpectrumRequest request) {
        SpectrumEngine engine = choose(matrix, request);
        if (engine != gram32 || request.vectors() == 0) {
            return engine.decompose(matrix, request);
        }
        Spectrum values = engine.decompose(matrix, SpectrumRequest.eigenvaluesOnly());
        Spectrum vectors = randomized.decompose(matrix, SpectrumRequest.topK(request.vectors()));
        return new Spectrum(values.eigenvalues(), values.expectedCount(), vectors.vectors());
    }
}
