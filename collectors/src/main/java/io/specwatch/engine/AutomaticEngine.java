package io.specwatch.engine;

import java.util.Objects;

/**
 * Chooses, per matrix, among the candidate engines it is given, by the matrix's smaller dimension
 * M and what the request needs:
 *
 * <ul>
 *   <li>the top triplet only (the update spectrum ΔW): {@code topTriplet};</li>
 *   <li>up to {@code exactLimit}: {@code exact}, for the eigenvalues and, when asked, the top-k
 *       vectors in the same decomposition;</li>
 *   <li>above it, full ESD: {@code values}; with vectors, {@code topK} adds the top-k triplets
 *       (together far cheaper than an SVD with vectors);</li>
 *   <li>above it, top-k only: {@code topK}.</li>
 * </ul>
 * The defaults ({@link #withDefaults}) are the float64 Gram engine up to M = 1024, the float32 Gram
 * engine and the randomized engine above it, and Lanczos for the top triplet: the break-even points
 * measured in docs/benchmarks.md. Another candidate set (a GPU engine, say) is passed to the constructor.
 */
public final class AutomaticEngine implements SpectrumEngine {

    /** Default M up to which the exact engine (float64 Gram) serves. */
    public static final int DEFAULT_FLOAT64_LIMIT = 1024;

    private final int exactLimit;
    private final SpectrumEngine exact;
    private final SpectrumEngine values;
    private final SpectrumEngine topK;
    private final SpectrumEngine topTriplet;

    /**
     * @param exactLimit largest M served by {@code exact}
     * @param exact      all eigenvalues and top-k vectors of matrices up to {@code exactLimit}
     * @param values     all eigenvalues of larger matrices (asked for values only)
     * @param topK       top-k triplets of larger matrices
     * @param topTriplet the top triplet alone, at any size
     */
    public AutomaticEngine(int exactLimit, SpectrumEngine exact, SpectrumEngine values, SpectrumEngine topK,
                           SpectrumEngine topTriplet) {
        if (exactLimit < 1) {
            throw new IllegalArgumentException("exactLimit must be >= 1, got " + exactLimit);
        }
        this.exactLimit = exactLimit;
        this.exact = Objects.requireNonNull(exact, "exact");
        this.values = Objects.requireNonNull(values, "values");
        this.topK = Objects.requireNonNull(topK, "topK");
        this.topTriplet = Objects.requireNonNull(topTriplet, "topTriplet");
    }

    /** The CPU defaults; {@code seed} seeds the randomized engine. */
    public static AutomaticEngine withDefaults(long seed) {
        return new AutomaticEngine(DEFAULT_FLOAT64_LIMIT, GramEigenEngine.float64(), GramEigenEngine.float32(),
                RandomizedSvdEngine.withDefaults(seed), LanczosTopTriplet.withDefaults());
    }

    @Override
    public String name() {
        return "auto";
    }

    /** The engine that serves the eigenvalues of this request. */
    public SpectrumEngine choose(DenseMatrix matrix, SpectrumRequest request) {
        if (!request.allEigenvalues() && request.vectors() == 1) {
            return topTriplet;
        }
        if (matrix.smaller() <= exactLimit) {
            return exact;
        }
        return request.allEigenvalues() ? values : topK;
    }

    @Override
    public Spectrum decompose(DenseMatrix matrix, SpectrumRequest request) {
        SpectrumEngine engine = choose(matrix, request);
        if (engine != values || request.vectors() == 0) {
            return engine.decompose(matrix, request);
        }
        Spectrum all = values.decompose(matrix, SpectrumRequest.eigenvaluesOnly());
        Spectrum vectors = topK.decompose(matrix, SpectrumRequest.topK(request.vectors()));
        return new Spectrum(all.eigenvalues(), all.expectedCount(), vectors.vectors(), all.engine());
    }
}
