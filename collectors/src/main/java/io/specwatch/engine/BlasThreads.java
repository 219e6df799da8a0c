package io.specwatch.engine;

/**
 * The number of threads OpenBLAS uses for every ND4J and LAPACK call. It is a process-wide
 * setting: a training framework in the same process that also uses OpenBLAS shares it.
 * OpenBLAS workers busy-wait, so on a machine whose cores are busy training, one analysis thread
 * is faster than several (see docs/benchmarks.md).
 */
public final class BlasThreads {

    private BlasThreads() {
    }

    /** Sets the thread count (≥ 1) for all later calls. */
    public static void set(int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("BLAS threads must be >= 1, got " + threads);
        }
        Nd4jLinearAlgebra.setBlasThreads(threads);
    }

    public static int get() {
        return Nd4jLinearAlgebra.blasThreads();
    }
}
