package io.specwatch.analysis;

import java.util.List;
import java.util.SplittableRandom;

import io.specwatch.engine.AutomaticEngine;
import io.specwatch.engine.DenseMatrix;
import io.specwatch.engine.SingularVectors;
import io.specwatch.engine.Spectrum;
import io.specwatch.engine.SpectrumEngine;
import io.specwatch.engine.SpectrumRequest;
import io.specwatch.metrics.Esd;
import io.specwatch.metrics.MarchenkoPasturFit;
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
            return new MatrixReport(name, shape.clone(), first.rows(), first.cols(), 0, null, null, null, null, null,
                    null, null, null, SpectralPhase.NONFINITE, MatrixReport.Status.NONFINITE, nonFinite, null,
                    seconds(start), null, null);
        }
        boolean pooled = matrices.size() > 1;
        SingularVectors[] top = new SingularVectors[1];
        Esd esd = esd(matrices, pooled, pooled ? 0 : vectors, top);
        Integer traps = null;
        if (options.correlationTraps() && first.smaller() >= MIN_EIGENVALUES) {
            MarchenkoPasturFit shuffled = MarchenkoPasturFit.fit(esd(TensorMatrices.of(shape, shuffled(values), options.conv()), pooled, 0, null));
            traps = shuffled == null ? null : shuffled.spikes();
        }
        String engineName = engineName(first);
        return measure(name, shape.clone(), first.rows(), first.cols(), esd, first.smaller() >= MIN_EIGENVALUES,
                traps, engineName, start, top[0]);
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
            return new MatrixReport(name, shape, 0, 0, eigenvalues.length, null, null, null, null, null, null, null,
                    null, SpectralPhase.NONFINITE, MatrixReport.Status.NONFINITE, nonFinite, null, seconds(start), null, null);
        }
        for (double v : eigenvalues) {
            if (v < 0) {
                throw new IllegalArgumentException("eigenvalues of WᵀW cannot be negative, found " + v);
            }
        }
        Esd esd = Esd.of(eigenvalues, 0, 0);
        return measure(name, shape, 0, 0, esd, esd.size() >= MIN_EIGENVALUES, null, null, start, null);
    }

    private MatrixReport measure(String name, long[] shape, int rows, int cols, Esd esd, boolean fits, Integer traps,
                                 String engineName, long start, SingularVectors vectors) {
        RankMetrics rank = RankMetrics.of(esd);
        PowerLawFit powerLaw = null;
        Double alphaHill = null;
        Double alphaWeighted = null;
        Double logAlphaNorm = null;
        Integer tailSize = null;
        MarchenkoPasturFit mp = null;
        MatrixReport.Status status = MatrixReport.Status.TOO_SMALL;
        if (fits) {
            powerLaw = PowerLawFit.fit(esd.eigenvalues());
            alphaHill = finiteOrNull(PowerLawFit.alphaHill(esd.eigenvalues()));
            mp = MarchenkoPasturFit.fit(esd);
            status = MatrixReport.Status.FIT_FAILED;
            if (powerLaw.ok()) {
                status = MatrixReport.Status.OK;
                double alpha = powerLaw.alpha();
                alphaWeighted = alpha * Math.log10(rank.lambdaMax());
                double sum = 0;
                int tail = 0;
                for (double l : esd.eigenvalues()) {
                    sum += Math.pow(l, alpha);
                    if (l >= powerLaw.xmin()) {
                        tail++;
                    }
                }
                logAlphaNorm = Math.log10(sum);
                tailSize = tail;
            }
        }
        SpectralPhase phase = SpectralPhase.classify(rank, esd.size(), powerLaw, mp, options.thresholds());
        return new MatrixReport(name, shape, rows, cols, esd.size(), rank, powerLaw, alphaHill, alphaWeighted,
                logAlphaNorm, tailSize, mp, traps, phase, status, 0, engineName, seconds(start), esd.eigenvalues(), vectors);
    }

    /** The pooled ESD of the matrices; with vectors > 0 (one matrix only) their top triplets go to vectorsOut[0]. */
    private Esd esd(List<DenseMatrix> matrices, boolean pooled, int vectors, SingularVectors[] vectorsOut) {
        DenseMatrix first = matrices.get(0);
        int m = first.smaller();
        double[] all = new double[m * matrices.size()];
        SpectrumRequest request = new SpectrumRequest(true, Math.min(vectors, m));
        for (int i = 0; i < matrices.size(); i++) {
            Spectrum spectrum = engine.decompose(matrices.get(i), request);
            System.arraycopy(spectrum.eigenvalues(), 0, all, i * m, m);
            if (vectorsOut != null && spectrum.vectors() != null) {
                vectorsOut[0] = spectrum.vectors();
            }
        }
        if (pooled) {
            // scaling each slice by 1/√2 halves its eigenvalues
            for (int i = 0; i < all.length; i++) {
                all[i] *= TensorMatrices.SLICE_EIGENVALUE_SCALE;
            }
        }
        return Esd.of(all, first.larger(), m);
    }

    private String engineName(DenseMatrix matrix) {
        if (engine instanceof AutomaticEngine auto) {
            return auto.choose(matrix, SpectrumRequest.eigenvaluesOnly()).name();
        }
        return engine.name();
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

    private static Double finiteOrNull(double v) {
        return Double.isFinite(v) ? v : null;
    }

    private static double seconds(long start) {
        return (System.nanoTime() - start) / 1e9;
    }
}
