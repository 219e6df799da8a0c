package io.specwatch.engine;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * All eigenvalues of WᵀW from the Gram matrix over the smaller dimension and LAPACK's symmetric
 * eigensolver ({@code syev}, values only). Several times faster than an SVD; the top of the
 * spectrum matches an SVD to float32 rounding. In float32 the smallest eigenvalues of nearly
 * singular matrices are resolved only to about 1e-7·λ_max; the float64 variant accumulates the
 * Gram matrix and solves in double precision for when small eigenvalues matter.
 */
public final class GramEigenEngine implements SpectrumEngine {

    private final DataType precision;

    private GramEigenEngine(DataType precision) {
        this.precision = precision;
    }

    /** Gram product and eigensolver in float32. */
    public static GramEigenEngine float32() {
        return new GramEigenEngine(DataType.FLOAT);
    }

    /** Gram product and eigensolver in float64. */
    public static GramEigenEngine float64() {
        return new GramEigenEngine(DataType.DOUBLE);
    }

    @Override
    public String name() {
        return precision == DataType.FLOAT ? "gram32" : "gram64";
    }

    @Override
    public Spectrum decompose(DenseMatrix matrix, SpectrumRequest request) {
        if (request.vectors() > 0) {
            throw new IllegalArgumentException(name() + " computes eigenvalues only; use the SVD or randomized engine for vectors");
        }
        INDArray w = Nd4jLinearAlgebra.toArray(matrix, precision);
        INDArray gram = Nd4jLinearAlgebra.gram(w);
        w.close();
        try {
            double[] eigenvalues = Nd4jLinearAlgebra.symmetricEigenvalues(gram);
            // round-off can make the smallest eigenvalues of a singular Gram matrix slightly negative
            for (int i = 0; i < eigenvalues.length; i++) {
                eigenvalues[i] = Math.max(0, eigenvalues[i]);
            }
            return new Spectrum(eigenvalues, matrix.smaller(), null);
        } finally {
            gram.close();
        }
    }
}
