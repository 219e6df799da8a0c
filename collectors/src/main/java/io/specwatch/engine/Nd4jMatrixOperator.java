package io.specwatch.engine;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** {@link MatrixOperator} on the host with ND4J {@code gemm} (OpenBLAS). */
public final class Nd4jMatrixOperator implements MatrixOperator {

    private final INDArray w;

    public Nd4jMatrixOperator(DenseMatrix matrix) {
        this.w = Nd4jLinearAlgebra.toArray(matrix, DataType.FLOAT);
    }

    @Override
    public int rows() {
        return (int) w.rows();
    }

    @Override
    public int cols() {
        return (int) w.columns();
    }

    @Override
    public INDArray times(INDArray x) {
        return Nd4j.gemm(w, x, false, false);
    }

    @Override
    public INDArray transposeTimes(INDArray y) {
        return Nd4j.gemm(w, y, true, false);
    }

    @Override
    public void close() {
        w.close();
    }
}
