package io.specwatch.analysis;

import java.util.Arrays;

/**
 * A tensor's name and shape: what a source says exists before anything is copied or read.
 *
 * @param name  the name the framework gives it (e.g. {@code 01Linear_weight}, {@code h.0.attn.c_attn.weight})
 * @param shape dimensions, row-major
 */
public record TensorInfo(String name, long[] shape) {

    public TensorInfo {
        if (name == null || shape == null) {
            throw new IllegalArgumentException("a tensor needs a name and a shape");
        }
        shape = shape.clone();
    }

    /** Number of elements (saturating at Long.MAX_VALUE for absurd shapes). */
    public long elements() {
        long n = 1;
        for (long d : shape) {
            if (d <= 0) {
                return 0;
            }
            if (n > Long.MAX_VALUE / d) {
                return Long.MAX_VALUE;
            }
            n *= d;
        }
        return n;
    }

    public int dimensions() {
        return shape.length;
    }

    @Override
    public long[] shape() {
        return shape.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TensorInfo t && t.name.equals(name) && Arrays.equals(t.shape, shape);
    }

    @Override
    public int hashCode() {
        return name.hashCode() * 31 + Arrays.hashCode(shape);
    }

    @Override
    public String toString() {
        return name + " " + Arrays.toString(shape);
    }
}
