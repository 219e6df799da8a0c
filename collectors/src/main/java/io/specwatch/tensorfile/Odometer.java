package io.specwatch.tensorfile;

/**
 * Walks every index of a tensor, fastest level first, keeping the linear position that the index has
 * in another layout: the storage offset of each row-major element (gathering a strided view), or
 * the row-major index of each stored element (scattering a column-major stream). O(1) per step, amortised.
 */
final class Odometer {

    private final long[] extent;
    private final long[] step;
    private final long[] index;
    private long position;

    /**
     * @param start  position of index 0
     * @param extent size of each level, fastest first
     * @param step   position change per unit of each level
     */
    Odometer(long start, long[] extent, long[] step) {
        this.extent = extent;
        this.step = step;
        this.index = new long[extent.length];
        this.position = start;
    }

    /** Levels in row-major order of a shape (last dimension fastest) with the given per-dimension steps. */
    static Odometer rowMajor(long start, long[] shape, long[] steps) {
        int n = shape.length;
        long[] extent = new long[n];
        long[] step = new long[n];
        for (int d = 0; d < n; d++) {
            extent[d] = shape[n - 1 - d];
            step[d] = steps[n - 1 - d];
        }
        return new Odometer(start, extent, step);
    }

    long position() {
        return position;
    }

    void advance() {
        for (int level = 0; level < extent.length; level++) {
            index[level]++;
            position += step[level];
            if (index[level] < extent[level]) {
                return;
            }
            position -= step[level] * index[level];
            index[level] = 0;
        }
    }
}
