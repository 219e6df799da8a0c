package io.specwatch.engine;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Top-k singular values and vectors by a randomized block Krylov method (Musco &amp; Musco 2015):
 * a Gaussian sketch of width b = k + oversampling is pushed through q rounds of W·Wᵀ, each
 * block orthonormalised, the blocks together span a Krylov space of width b·(q + 1), and a
 * Rayleigh–Ritz step on that space gives the triplets.
 *
 * <p>Krylov rather than plain subspace iteration because trained weights have power-law spectra
 * whose top singular values are close together; subspace iteration converges at the rate of those
 * small gaps, a Krylov space at roughly their square root. The values are Ritz values: they never
 * exceed the true singular values.
 *
 * <p>The products with W run in float32 through ND4J {@code gemm}; the QR factorisations and the
 * small eigenproblem run on the host, the latter in float64.
 */
public final class RandomizedSvdEngine implements SpectrumEngine {

    /** Default oversampling: sketch width is k plus this. */
    public static final int DEFAULT_OVERSAMPLING = 10;
    /** Default rounds of W·Wᵀ; see docs/benchmarks.md for the accuracy this buys. */
    public static final int DEFAULT_ITERATIONS = 6;

    private final int oversampling;
    private final int iterations;
    private final long seed;

    /**
     * @param oversampling extra sketch columns beyond k (≥ 0)
     * @param iterations   rounds of W·Wᵀ (≥ 0); the Krylov space has iterations + 1 blocks
     * @param seed         seed of the Gaussian sketch: the same seed gives the same result
     */
    public RandomizedSvdEngine(int oversampling, int iterations, long seed) {
        if (oversampling < 0 || iterations < 0) {
            throw new IllegalArgumentException("oversampling and iterations must be >= 0");
        }
        this.oversampling = oversampling;
        this.iterations = iterations;
        this.seed = seed;
    }

    /** Default oversampling and iterations. */
    public static RandomizedSvdEngine withDefaults(long seed) {
        return new RandomizedSvdEngine(DEFAULT_OVERSAMPLING, DEFAULT_ITERATIONS, seed);
    }

    @Override
    public String name() {
        return "randomized";
    }

    /**
     * Returns the top k eigenvalues (k = {@code request.vectors()}) with their vectors. When the
     * Krylov space, (k + oversampling)·(iterations + 1) wide, would not fit in the smaller side, the exact SVD is used instead (cheap at that size).
     */
    @Override
    public Spectrum decompose(DenseMatrix matrix, SpectrumRequest request) {
        if (request.allEigenvalues()) {
            throw new IllegalArgumentException("the randomized engine computes the top k only; use the Gram engine for the full ESD");
        }
        int k = request.vectors();
        int small = matrix.smaller();
        int block = k + oversampling;
        int rounds = iterations;
        // a Krylov space as wide as the matrix would be exact anyway, and one with fewer rounds than
        // configured is not accurate (σ₁ 3 % low with none, M = 24, k = 6): the exact SVD, cheap at this size
        if (k >= small || (long) block * (rounds + 1) > small) {
            Spectrum exact = LapackSvdEngine.float32().decompose(matrix, new SpectrumRequest(false, k));
            double[] top = new double[Math.min(k, small)];
            System.arraycopy(exact.eigenvalues(), exact.eigenvalues().length - top.length, top, 0, top.length);
            return new Spectrum(top, small, exact.vectors(), exact.engine());
        }
        INDArray w = Nd4jLinearAlgebra.toArray(matrix, DataType.FLOAT);
        try {
            // Work on the side of the smaller dimension so the Krylov basis is as short as possible.
            Oriented op = new Oriented(w, matrix.rows() > matrix.cols());
            return krylov(op, k, block, rounds, small);
        } finally {
            w.close();
        }
    }

    private Spectrum krylov(Oriented op, int k, int block, int rounds, int small) {
        INDArray sketch = gaussian(op.inner(), block);
        List<INDArray> blocks = new ArrayList<>();
        INDArray y = orthonormaliseAndRelease(op.times(sketch));
        sketch.close();
        blocks.add(y);
        for (int r = 0; r < rounds; r++) {
            INDArray z = orthonormaliseAndRelease(op.transposeTimes(y));
            y = orthonormaliseAndRelease(op.times(z));
            z.close();
            blocks.add(y);
        }
        INDArray stacked = Nd4j.hstack(blocks.toArray(new INDArray[0]));
        for (INDArray b : blocks) {
            if (b != stacked) { // hstack of one block (no power rounds: M < 2·(k + oversampling)) returns that block
                b.close();
            }
        }
        INDArray q = Nd4jLinearAlgebra.orthonormalColumns(stacked);
        stacked.close();
        INDArray bt = op.transposeTimes(q);           // inner × L: (Qᵀ W)ᵀ
        INDArray bt64 = bt.castTo(DataType.DOUBLE);
        INDArray small64 = Nd4j.gemm(bt64, bt64, true, false); // L × L = Qᵀ W Wᵀ Q
        int width = (int) small64.rows();
        double[] theta = new double[width];
        INDArray z = Nd4jLinearAlgebra.symmetricEigenvectors(small64, theta);
        small64.close();
        int count = Math.min(k, width);
        INDArray zTop = Nd4j.create(DataType.DOUBLE, new long[] {width, count}, 'f');
        double[] sigma = new double[count];
        for (int j = 0; j < count; j++) {
            int source = width - 1 - j;
            sigma[j] = Math.sqrt(Math.max(0, theta[source]));
            zTop.putColumn(j, z.getColumn(source));
        }
        z.close();
        INDArray q64 = q.castTo(DataType.DOUBLE);
        INDArray outer = Nd4j.gemm(q64, zTop, false, false);   // outer × count
        INDArray inner = Nd4j.gemm(bt64, zTop, false, false);  // inner × count, scaled by σ
        q.close();
        q64.close();
        bt.close();
        bt64.close();
        zTop.close();
        float[][] outerVectors = new float[count][];
        float[][] innerVectors = new float[count][];
        for (int j = 0; j < count; j++) {
            outerVectors[j] = outer.getColumn(j).toFloatVector();
            float[] v = inner.getColumn(j).toFloatVector();
            double scale = sigma[j] > 0 ? 1 / sigma[j] : 0;
            for (int i = 0; i < v.length; i++) {
                v[i] = (float) (v[i] * scale);
            }
            innerVectors[j] = v;
        }
        outer.close();
        inner.close();
        double[] eigenvalues = new double[count];
        for (int j = 0; j < count; j++) {
            eigenvalues[count - 1 - j] = sigma[j] * sigma[j];
        }
        SingularVectors vectors = op.transposed
                ? new SingularVectors(sigma, innerVectors, outerVectors)
                : new SingularVectors(sigma, outerVectors, innerVectors);
        return new Spectrum(eigenvalues, small, vectors, name());
    }

    private INDArray gaussian(int rows, int cols) {
        SplittableRandom random = new SplittableRandom(seed);
        float[] values = new float[rows * cols];
        for (int i = 0; i < values.length; i++) {
            values[i] = (float) random.nextGaussian();
        }
        return Nd4j.create(values, new long[] {rows, cols}, 'f');
    }

    /** An orthonormal basis of the product's columns; the product itself is released. */
    private static INDArray orthonormaliseAndRelease(INDArray product) {
        try {
            return Nd4jLinearAlgebra.orthonormalColumns(product);
        } finally {
            product.close();
        }
    }

    /**
     * W or Wᵀ, whichever has fewer rows ("outer" side); products keep their meaning for the
     * oriented matrix A: times = A·X, transposeTimes = Aᵀ·Y.
     */
    private record Oriented(INDArray w, boolean transposed) {
        int inner() {
            return (int) (transposed ? w.rows() : w.columns());
        }

        INDArray times(INDArray x) {
            return Nd4j.gemm(w, x, transposed, false);
        }

        INDArray transposeTimes(INDArray y) {
            return Nd4j.gemm(w, y, !transposed, false);
        }
    }
}
