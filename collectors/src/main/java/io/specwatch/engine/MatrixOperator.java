package io.specwatch.engine;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The two large products a randomized SVD needs, W·X and Wᵀ·Y, kept behind an interface so they
 * can run where the weights live (for instance on the training GPU through DJL) while the small
 * factorisations stay on the host. Inputs and outputs are host float32 ND4J arrays.
 */
public interface MatrixOperator extends AutoCloseable {

    int rows();

    int cols();

    /** W·X for X of shape cols × b; returns rows × b. */
    INDArray times(INDArray x);

    /** Wᵀ·Y for Y of shape rows × b; returns cols × b. */
    INDArray transposeTimes(INDArray y);

    /** Releases device or off-heap memory held for W. */
    @Override
    void close();
}
