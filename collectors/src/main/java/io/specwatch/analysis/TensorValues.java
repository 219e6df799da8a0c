package io.specwatch.analysis;

import io.specwatch.tensorfile.Checkpoint;
import io.specwatch.tensorfile.ElementType;
import io.specwatch.tensorfile.TensorEntry;
import io.specwatch.tensorfile.TensorFormatException;

/**
 * A tensor's entries as float32 times 2^exponent: how float64 data beyond float32's range
 * (1e200, 1e-200) reach the analysis without turning into ∞ or 0. The exponent is 0 for every
 * tensor whose values fit float32 as they are.
 *
 * @param values   row-major entries, divided by 2^exponent
 * @param exponent the power of two they were divided by
 */
public record TensorValues(float[] values, int exponent) {

    /** Float32 data: as they are. */
    public static TensorValues of(float[] values) {
        return new TensorValues(values, 0);
    }

    /**
     * Float64 data: divided by a power of two near their largest finite magnitude when that lies
     * beyond 2^±100 (exact: a power of two), so that float32 holds them; NaN and ±∞ stay what they are.
     */
    public static TensorValues of(double[] values) {
        double max = 0;
        for (double v : values) {
            if (Double.isFinite(v)) {
                max = Math.max(max, Math.abs(v));
            }
        }
        int exponent = max > 0 && Math.abs(Math.getExponent(max)) > 100 ? Math.getExponent(max) : 0;
        float[] out = new float[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = (float) Math.scalb(values[i], -exponent);
        }
        return new TensorValues(out, exponent);
    }

    /**
     * One tensor of a checkpoint for the analysis: float64 data through {@link #of(double[])}, so
     * that entries beyond float32's range keep their spectrum; every other type as float32.
     */
    public static TensorValues read(Checkpoint c, TensorEntry e) throws TensorFormatException {
        return e.type() == ElementType.F64 ? of(c.readDoubles(e)) : of(c.readFloats(e));
    }

    /** The values as multiples of 2^target (for arithmetic between two tensors; 0: plain float32, where ±∞ or 0 may appear). */
    public float[] at(int target) {
        if (target == exponent) {
            return values;
        }
        float[] out = new float[values.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = Math.scalb(values[i], exponent - target);
        }
        return out;
    }
}
