package io.specwatch.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;

/** The float64 Gram product summed over blocks of W, against the plain triple loop in float64. */
class GramProductTest {

    @Test
    void blocksOfAnySizeSumToTheGramMatrixOfTallAndWideMatrices() {
        int[][] shapes = {{301, 17}, {17, 301}, {64, 64}, {1, 40}, {40, 1}};
        for (int[] shape : shapes) {
            int rows = shape[0];
            int cols = shape[1];
            float[] w = new float[rows * cols];
            SplittableRandom random = new SplittableRandom(rows * 1000L + cols);
            for (int i = 0; i < w.length; i++) {
                w[i] = (float) random.nextGaussian();
            }
            int n = Math.min(rows, cols);
            double[] reference = new double[n * n];
            for (int i = 0; i < n; i++) {
                for (int j = i; j < n; j++) {
                    double s = 0;
                    if (rows >= cols) {
                        for (int r = 0; r < rows; r++) {
                            s += (double) w[r * cols + i] * w[r * cols + j];
                        }
                    } else {
                        for (int c = 0; c < cols; c++) {
                            s += (double) w[i * cols + c] * w[j * cols + c];
                        }
                    }
                    reference[j * n + i] = s; // upper triangle, column-major
                }
            }
            // one block, blocks that divide the length, blocks that do not, one row or column at a time
            for (int block : new int[] {GramEigenEngine.BLOCK_ELEMENTS, n * 7, n * 10, n}) {
                double[] gram = GramEigenEngine.gram64(w, rows, cols, block);
                for (int i = 0; i < n; i++) {
                    for (int j = i; j < n; j++) {
                        double expected = reference[j * n + i];
                        assertEquals(expected, gram[j * n + i], 1e-12 * Math.max(1, Math.abs(expected)),
                                rows + "x" + cols + " block " + block + " at (" + i + ", " + j + ")");
                    }
                }
            }
        }
    }
}
