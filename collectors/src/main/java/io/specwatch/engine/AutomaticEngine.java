package io.specwatch.engine;

/**
 * Picks an engine per matrix from its smaller dimension M and what the request needs:
 *
 * <ul>
 *   <li>full ESD, no vectors: Gram + eigensolver, in float64 up to {@code float64Limit} (cheap there,
 *       and exact down to the smallest eigenvalue), in float32 above;</li>
 *   <li>full ESD and top-k vectors: one LAPACK SVD up to {@code svdLimit}; above it, the Gram
 *       engine for the eigenvalues and the randomized engine for the vectors (together far cheaper
 *       than an SVD with vectors);</li>
 *   <li>top-k only: the exact SVD up to {@code svdLimit}, the randomized engine above.</li>
 * </ul>
 * The limits default to the break-even points measured in docs/benchmarks.md.
 */
public final class AutomaticEngine implements SpectrumEngine {

    /** Default M up to which the Gram matrix is accumulated in float64. */
    public static final int DEFAULT_FLOAT64_LIMIT = 1024;
    /** Default M up to which an exact SVD serves vector requests. */
    public static final int DEFAULT_SVD_LIMIT = 1024;

    private final int float64Limit;
    private final int svdLimit;
    private final SpectrumEngine gram32 = GramEigenEngine.float32();
    private final SpectrumEngine gram64 = GramEigenEngine.float64();
    private final SpectrumEngine svd = LapackSvdEngine.float32();
    private final SpectrumEngine randomized;

    public AutomaticEngine(int float64Limit, int svdLimit, SpectrumEngine randomized) {
        this.float64Limit = float64Limit;
        this.svdLimit = svdLimit;
        this.randomized = randomized;
    }

    /** Default limits, randomized products on the host. */
    public static AutomaticEngine withDefaults(long seed) {
        return new AutomaticEngine(DEFAULT_FLOAT64_LIMIT, DEFAULT_SVD_LIMIT, RandomizedSvdEngine.onHost(seed));
    }

    @Override
    public String name() {
        return "auto";
    }

    /** The engine that serves the eigenvalues of this request (the one named in reports). */
    public SpectrumEngine choose(DenseMatrix matrix, SpectrumRequest request) {
        int m = matrix.smaller();
        if (request.vectors() > 0 && m <= svdLimit) {
            return svd;
        }
        if (!request.allEigenvalues()) {
            return randomized;
        }
        return m <= float64Limit ? gram64 : gram32;
    }

    @Override
    public Spectrum decompose(DenseMatrix matrix, SpectrumRequest request) {
        SpectrumEngine engine = choose(matrix, request);
        if (engine == svd || request.vectors() == 0 || !request.allEigenvalues()) {
            return engine.decompose(matrix, request);
        }
        Spectrum values = engine.decompose(matrix, SpectrumRequest.eigenvaluesOnly());
        Spectrum vectors = randomized.decompose(matrix, SpectrumRequest.topK(request.vectors()));
        return new Spectrum(values.eigenvalues(), values.expectedCount(), vectors.vectors());
    }
}
