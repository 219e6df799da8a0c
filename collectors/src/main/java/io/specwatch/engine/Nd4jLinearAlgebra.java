package io.specwatch.engine;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The few ND4J linear-algebra calls the engines use, with the pitfalls of ND4J 1.0.0-M2.1 kept
 * in one place (measured for this project; docs/architecture.md, "ND4J"): LAPACK only ever sees contiguous Fortran-order copies
 * (it silently returns wrong values on views), products go through {@code gemm}, and the
 * broken {@code Svd}/{@code Qr} ops and {@code syrk} are never called.
 */
final class Nd4jLinearAlgebra {

    private Nd4jLinearAlgebra() {
    }

    /** The matrix as an ND4J array of the given type (a copy). */
    static INDArray toArray(DenseMatrix matrix, DataType type) {
        INDArray array = Nd4j.create(matrix.values(), new long[] {matrix.rows(), matrix.cols()}, 'c');
        if (type == DataType.FLOAT) {
            return array;
        }
        INDArray cast = array.castTo(type);
        array.close();
        return cast;
    }

    /** A contiguous Fortran-order copy, the only layout handed to LAPACK. */
    static INDArray fortranCopy(INDArray array) {
        return array.dup('f');
    }

    /** The Gram matrix over the smaller dimension: WᵀW when W is tall or square, WWᵀ when wide. */
    static INDArray gram(INDArray w) {
        boolean tall = w.rows() >= w.columns();
        return Nd4j.gemm(w, w, tall, !tall);
    }

    /** Eigenvalues of a symmetric matrix, ascending, without eigenvectors. The input is not modified. */
    static double[] symmetricEigenvalues(INDArray symmetric) {
        INDArray a = fortranCopy(symmetric);
        INDArray values = Nd4j.create(a.dataType(), a.rows());
        try {
            int info = Nd4j.getBlasWrapper().lapack().syev('N', 'U', a, values);
            if (info != 0) {
                throw new ArithmeticException("LAPACK syev did not converge (info " + info + ")");
            }
            return values.toDoubleVector();
        } finally {
            a.close();
            values.close();
        }
    }

    /**
     * Eigen-decomposition of a small symmetric matrix: eigenvalues ascending, and the eigenvectors as
     * the columns of the returned Fortran-order array (which the caller closes).
     */
    static INDArray symmetricEigenvectors(INDArray symmetric, double[] eigenvaluesOut) {
        INDArray a = fortranCopy(symmetric);
        INDArray values = Nd4j.create(a.dataType(), a.rows());
        try {
            int info = Nd4j.getBlasWrapper().lapack().syev('V', 'U', a, values);
            if (info != 0) {
                a.close();
                throw new ArithmeticException("LAPACK syev did not converge (info " + info + ")");
            }
            System.arraycopy(values.toDoubleVector(), 0, eigenvaluesOut, 0, eigenvaluesOut.length);
            return a;
        } finally {
            values.close();
        }
    }

    /** Replaces the columns of {@code tall} (rows ≥ cols) by an orthonormal basis of their span; returns a new array. */
    static INDArray orthonormalColumns(INDArray tall) {
        INDArray q = fortranCopy(tall);
        INDArray r = Nd4j.create(q.dataType(), new long[] {q.columns(), q.columns()}, 'f');
        try {
            Nd4j.getBlasWrapper().lapack().geqrf(q, r);
            return q;
        } finally {
            r.close();
        }
    }

    /** Sets the number of threads OpenBLAS uses for every later call in this process (a process-wide setting). */
    static void setBlasThreads(int threads) {
        Nd4j.factory().blas().setMaxThreads(threads);
    }

    static int blasThreads() {
        return Nd4j.factory().blas().getMaxThreads();
    }
}
