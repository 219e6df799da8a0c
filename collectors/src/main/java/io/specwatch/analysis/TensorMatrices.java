package io.specwatch.analysis;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import io.specwatch.engine.DenseMatrix;

/**
 * Turns a row-major tensor of two or more dimensions into the matrices whose spectra are analysed.
 * A tensor of shape (out, in, k1, k2, …) is a convolution kernel; its trailing dimensions are
 * kernel positions.
 */
public final class TensorMatrices {

    /** Eigenvalue scale of each slice in the {@link ConvLayout#SLICES} layout (the 1/√2 weight scale, squared). */
    public static final double SLICE_EIGENVALUE_SCALE = 0.5;

    private TensorMatrices() {
    }

    /** The matrices of a tensor; a 2-D tensor is one matrix as stored. */
    public static List<DenseMatrix> of(long[] shape, float[] values, ConvLayout layout) {
        if (shape.length < 2) {
            throw new IllegalArgumentException("a weight matrix needs at least 2 dimensions, got shape " + Arrays.toString(shape));
        }
        long count = 1;
        for (long d : shape) {
            if (d < 1) {
                throw new IllegalArgumentException("empty dimension in shape " + Arrays.toString(shape));
            }
            count = Math.multiplyExact(count, d);
        }
        if (count != values.length) {
            throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " needs " + count + " values, got " + values.length);
        }
        int out = Math.toIntExact(shape[0]);
        int in = Math.toIntExact(shape[1]);
        int positions = Math.toIntExact(count / ((long) out * in));
        if (positions == 1) {
            return List.of(new DenseMatrix(out, in, values));
        }
        if (layout == ConvLayout.FLATTEN) {
            return List.of(new DenseMatrix(out, in * positions, values));
        }
        List<DenseMatrix> slices = new ArrayList<>(positions);
        for (int p = 0; p < positions; p++) {
            float[] slice = new float[out * in];
            for (int i = 0; i < out * in; i++) {
                slice[i] = values[i * positions + p];
            }
            slices.add(new DenseMatrix(out, in, slice));
        }
        return slices;
    }
}
