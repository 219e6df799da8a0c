package io.specwatch.engine;

/**
 * A host copy of one weight matrix in row-major float32, the input of every spectrum engine.
 * The array is owned by the matrix: callers hand over a copy and do not mutate it afterwards.
 *
 * @param rows   number of rows (DJL/PyTorch Linear: out features)
 * @param cols   number of columns (in features)
 * @param values rows·cols entries, row-major
 */
public record DenseMatrix(int rows, int cols, float[] values) {

    public DenseMatrix {
        if (rows < 1 || cols < 1) {
            throw new IllegalArgumentException("a matrix needs at least one row and one column, got " + rows + " x " + cols);
        }
        if ((long) rows * cols != values.length) {
            throw new IllegalArgumentException(rows + " x " + cols + " matrix needs " + (long) rows * cols
                    + " values, got " + values.length);
        }
    }

    /** N: the larger dimension. */
    public int larger() {
        return Math.max(rows, cols);
    }

    /** M: the smaller dimension, the number of eigenvalues of WᵀW that can be non-zero. */
    public int smaller() {
        return Math.min(rows, cols);
    }

    /** Number of NaN or infinite entries. */
    public int nonFiniteCount() {
        int count = 0;
        for (float v : values) {
            if (!Float.isFinite(v)) {
                count++;
            }
        }
        return count;
    }
}
