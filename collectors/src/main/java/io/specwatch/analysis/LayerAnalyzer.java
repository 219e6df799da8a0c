package io.specwatch.analysis;

import java.util.List;
import java.util.SplittableRandom;

import io.specwatch.engine.AutomaticEngine;
import io.specwatch.engine.DenseMatrix;
import io.specwatch.engine.GramEigenEngine;
import io.specwatch.engine.RandomizedSvdEngine;
import io.specwatch.engine.SingularVectors;
import io.specwatch.engine.Spectrum;
import io.specwatch.engine.SpectrumEngine;
import io.specwatch.engine.SpectrumRequest;
import io.specwatch.metrics.Esd;
import io.specwatch.metrics.MarchenkoPasturFit;
import io.specwatch.metrics.Dynamics;
import io.specwatch.metrics.PowerLawFit;
import io.specwatch.metrics.RankMetrics;
import io.specwatch.metrics.SpectralPhase;

/**
 * Analyses one weight tensor (or one bare eigenvalue sample) into a {@link MatrixReport}:
 * decomposition by a {@link SpectrumEngine}, then the pure metric functions. Not thread-safe when
 * the engine is not; use one analyzer per analysis thread.
 */
public final class LayerAnalyzer {

    /** Below this many eigenvalues (WeightWatcher's min_evals) only norms and ranks are computed. */
    public static final int MIN_EIGENVALUES = 10;

    /**
     * How tensors are analysed.
     *
     * @param conv             layout of tensors with more than two dimensions
     * @param correlationTraps also shuffle each tensor and count the spikes that survive (one more decomposition)
     * @param seed             seed of the shuffle
     * @param thresholds       spectral phase thresholds
     */
    public record Options(ConvLayout conv, boolean correlationTraps, long seed, SpectralPhase.Thresholds thresholds) {

        public static final Options DEFAULT = new Options(ConvLayout.SLICES, false, 0, SpectralPhase.Thresholds.DEFAULT);

        public Options withCorrelationTraps(boolean enabled) {
            return new Options(conv, enabled, seed, thresholds);
        }
    }

    private final SpectrumEngine engine;
    private final Options options;

    public LayerAnalyzer(SpectrumEngine engine, Options options) {
        this.engine = engine;
        this.options = options;
    }

    /** Automatic engine choice, default options. */
    public static LayerAnalyzer withDefaults() {
        return new LayerAnalyzer(AutomaticEngine.withDefaults(0), Options.DEFAULT);
    }

    /**
     * Analyses a row-major tensor with at least two dimensions.
     *
     * @throws IllegalArgumentException when the shape has fewer than two dimensions or does not match the values
     */
    public MatrixReport analyze(String name, long[] shape, float[] values) {
        return analyze(name, shape, values, 0);
    }

    /**
     * Analyses a tensor and also returns its top {@code vectors} singular triplets (for the
     * dynamics); pooled convolution slices have no single set of vectors and get none.
     */
    public MatrixReport analyze(String name, long[] shape, float[] values, int vectors) {
        long start = System.nanoTime();
        List<DenseMatrix> matrices = TensorMatrices.of(shape, values, options.conv());
        DenseMatrix first = matrices.get(0);
        int nonFinite = 0;
        for (DenseMatrix m : matrices) {
            nonFinite += m.nonFiniteCount();
        }
        if (nonFinite > 0) {
            return MatrixReport.nonFinite(name, shape.clone(), first.rows(), first.cols(), 0, nonFinite, seconds(start));
        }
        boolean pooled = matrices.size() > 1;
        MatrixScale scale = MatrixScale.of(values);
        Decomposed decomposed = esd(matrices, pooled, pooled ? 0 : vectors, scale);
        Integer traps = null;
        if (options.correlationTraps() && first.smaller() >= MIN_EIGENVALUES) {
            MarchenkoPasturFit shuffled = MarchenkoPasturFit.fit(esd(TensorMatrices.of(shape, shuffled(values), options.conv()), pooled, 0, scale).esd());
            traps = shuffled == null ? null : shuffled.spikes();
        }
        return measure(name, shape.clone(), first.rows(), first.cols(), decomposed.esd(), first.smaller() >= MIN_EIGENVALUES,
                traps, decomposed.engine(), start, decomposed.vectors(), scale.eigenvalueFloor());
    }

    /**
     * Analyses a tensor given as float32 times 2^exponent (float64 data beyond float32's range):
     * the analysis runs on the float32 values and the report is returned in the data's own units.
     */
    public MatrixReport analyze(String name, long[] shape, TensorValues values, int vectors) {
        return analyze(name, shape, values.values(), vectors).timesPowerOfTwo(values.exponent());
    }

    /**
     * Pays the one-time start-up now rather than in the first real matrix's time: loads the native
     * libraries (ND4J, OpenBLAS) and runs the analysis code often enough to be compiled, with the
     * default CPU engines on modest matrices (about 0.3 s). The analyzer's own engine is not
     * touched. Call it on the thread that will analyse (ND4J sets the OpenMP thread count of the
     * thread that loads it).
     */
    public void warmUp() {
        LayerAnalyzer defaults = new LayerAnalyzer(AutomaticEngine.withDefaults(options.seed()), options);
        DenseMatrix m = io.specwatch.engine.SyntheticMatrices.gaussian(384, 256, 1);
        for (int i = 0; i < 2; i++) {
            defaults.analyze("warm-up", new long[] {384, 256}, m.values(), Dynamics.DEFAULT_TOP);
        }
        // the paths of large matrices: the float32 Gram matrix, the randomized top-k, Lanczos
        GramEigenEngine.float32().decompose(io.specwatch.engine.SyntheticMatrices.gaussian(64, 48, 2), SpectrumRequest.eigenvaluesOnly());
        RandomizedSvdEngine.withDefaults(0).decompose(io.specwatch.engine.SyntheticMatrices.gaussian(300, 200, 3), SpectrumRequest.topK(10));
        defaults.engine().decompose(m, SpectrumRequest.topK(1));
    }

    /** The engine this analyzer decomposes with. */
    public SpectrumEngine engine() {
        return engine;
    }

    /**
     * Analyses a sample of eigenvalues (any order, all ≥ 0) without a matrix: norms, ranks and the
     * power-law fits; no Marchenko–Pastur fit, which needs the matrix shape.
     */
    public MatrixReport analyzeEigenvalues(String name, double[] eigenvalues) {
        long start = System.nanoTime();
        int nonFinite = 0;
        for (double v : eigenvalues) {
            if (!Double.isFinite(v)) {
                nonFinite++;
            }
        }
        long[] shape = {eigenvalues.length};
        if (nonFinite > 0) {
            return MatrixReport.nonFinite(name, shape, 0, 0, eigenvalues.length, nonFinite, seconds(start));
        }
        for (double v : eigenvalues) {
            if (v < 0) {
                throw new IllegalArgumentException("eigenvalues of WᵀW cannot be negative, found " + v);
            }
        }
        Esd esd = Esd.of(eigenvalues, 0, 0);
        return measure(name, shape, 0, 0, esd, esd.size() >= MIN_EIGENVALUES, null, null, start, null, PowerLawFit.EIGENVALUE_FLOOR);
    }

    private MatrixReport measure(String name, long[] shape, int rows, int cols, Esd esd, boolean fits, Integer traps,
                                 String engineName, long start, SingularVectors vectors, double floor) {
        RankMetrics rank = RankMetrics.of(esd);
        TailFit tail = TailFit.NONE;
        MarchenkoPasturFit mp = null;
        MatrixReport.Status status = MatrixReport.Status.TOO_SMALL;
        if (fits) {
            tail = TailFit.of(esd.eigenvalues(), rank.lambdaMax(), floor);
            mp = MarchenkoPasturFit.fit(esd);
            status = tail.ok() ? MatrixReport.Status.OK : MatrixReport.Status.FIT_FAILED;
        }
        SpectralPhase phase = SpectralPhase.classify(rank, esd.size(), tail.powerLaw(), mp, options.thresholds());
        return new MatrixReport(name, shape, rows, cols, esd.size(), rank, tail, mp, traps, phase, status, 0, engineName,
                seconds(start), esd.eigenvalues(), vectors);
    }

    /** The pooled ESD of some matrices, the engine that computed it, and (one matrix only) its top triplets. */
    private record Decomposed(Esd esd, String engine, SingularVectors vectors) {
    }

    private Decomposed esd(List<DenseMatrix> matrices, boolean pooled, int vectors, MatrixScale scale) {
        DenseMatrix first = matrices.get(0);
        int m = first.smaller();
        double[] all = new double[m * matrices.size()];
        SpectrumRequest request = new SpectrumRequest(true, Math.min(vectors, m));
        SingularVectors top = null;
        String engineName = null;
        for (int i = 0; i < matrices.size(); i++) {
            Spectrum spectrum = scale.decompose(engine, matrices.get(i), request);
            if (!spectrum.complete()) {
                throw new IllegalStateException("engine " + spectrum.engine() + " returned " + spectrum.eigenvalues().length
                        + " of " + m + " eigenvalues for a full-ESD request");
            }
            System.arraycopy(spectrum.eigenvalues(), 0, all, i * m, m);
            top = spectrum.vectors();
            engineName = spectrum.engine();
        }
        if (pooled) {
            // scaling each slice by 1/√2 halves its eigenvalues
            for (int i = 0; i < all.length; i++) {
                all[i] *= TensorMatrices.SLICE_EIGENVALUE_SCALE;
            }
        }
        return new Decomposed(Esd.of(all, first.larger(), m), engineName, pooled ? null : top);
    }

    private float[] shuffled(float[] values) {
        float[] copy = values.clone();
        SplittableRandom random = new SplittableRandom(options.seed());
        for (int i = copy.length - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            float t = copy[i];
            copy[i] = copy[j];
            copy[j] = t;
        }
        return copy;
    }

    private static double seconds(long start) {
        return (System.nanoTime() - start) / 1e9;
    }
}
