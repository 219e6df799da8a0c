package io.specwatch.tensorfile;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.zip.CRC32;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/**
 * Reads one tensor's elements into a row-major float32 or float64 array, from a memory-mapped file
 * region or from a deflated archive member, converting F16/BF16/F64 on the way. The only heap it
 * takes is the result (plus a 64 KiB buffer for deflated data); entries were validated to lie inside
 * their region when the file was opened.
 */
final class TensorData {

    /** Where a tensor's bytes are. */
    sealed interface Source permits Mapped, Deflated {
    }

    /** Stored uncompressed in the file: elements are mapped where {@link TensorEntry#offset()} says. */
    record Mapped(MappedFile file) implements Source {
    }

    /**
     * A raw-deflate (zip method 8) member; {@link TensorEntry#offset()} counts in the inflated bytes.
     * Deflate has no checksum of its own: the zip's CRC-32 is checked, so corrupt data is refused, not analysed.
     */
    record Deflated(MappedFile file, long compressedOffset, long compressedSize, long inflatedSize, int crc) implements Source {
    }

    /** Bytes per map when sweeping contiguous data; a multiple of every element width. */
    private static final long SWEEP = 1L << 28;
    /** Bytes per map when gathering a strided view. */
    private static final long WINDOW = 1L << 30;
    private static final int INFLATE_CHUNK = 1 << 16;

    private TensorData() {
    }

    static float[] floats(TensorEntry e, Source source) throws TensorFormatException {
        float[] out = new float[(int) e.elementCount()];
        read(e, source, new FloatTarget(out));
        return out;
    }

    static double[] doubles(TensorEntry e, Source source) throws TensorFormatException {
        double[] out = new double[(int) e.elementCount()];
        read(e, source, new DoubleTarget(out));
        return out;
    }

    private static void read(TensorEntry e, Source source, Target target) throws TensorFormatException {
        if (e.elementCount() == 0) {
            return;
        }
        try {
            if (source instanceof Mapped m) {
                if (e.rowMajorContiguous()) {
                    sweep(e, m.file(), target);
                } else {
                    gather(e, m.file(), target);
                }
            } else {
                inflate(e, (Deflated) source, target);
            }
        } catch (InternalError fault) {
            // a mapped page vanished: the file was truncated or rewritten in place while being read
            throw new TensorFormatException(e.shown() + ": the file changed while it was read (truncated or rewritten in place)");
        }
    }

    private static void sweep(TensorEntry e, MappedFile file, Target target) throws TensorFormatException {
        int width = e.type().bytes();
        long count = e.elementCount();
        long perMap = SWEEP / width;
        for (long done = 0; done < count; ) {
            long n = Math.min(perMap, count - done);
            ByteBuffer b = file.map(e.offset() + done * width, n * width).order(e.order());
            target.run((int) done, b, (int) n, e.type());
            done += n;
        }
    }

    /** Visits the elements in row-major order, each at offset + width·Σ index·stride. */
    private static void gather(TensorEntry e, MappedFile file, Target target) throws TensorFormatException {
        int width = e.type().bytes();
        long[] shape = e.shape();
        long last = 0;
        for (int d = 0; d < shape.length; d++) {
            last += (shape[d] - 1) * e.strides()[d];
        }
        long span = (last + 1) * width;
        ByteBuffer[] windows = new ByteBuffer[(int) ((span + WINDOW - 1) / WINDOW)];
        Odometer odometer = Odometer.rowMajor(0, shape, e.strides());
        int count = (int) e.elementCount();
        for (int i = 0; i < count; i++) {
            long at = odometer.position() * width;
            int w = (int) (at / WINDOW);
            if (windows[w] == null) {
                long start = w * WINDOW;
                windows[w] = file.map(e.offset() + start, Math.min(WINDOW, span - start)).order(e.order());
            }
            target.at(i, windows[w], (int) (at - w * WINDOW), e.type());
            odometer.advance();
        }
    }

    /**
     * Inflates the member in 64 KiB chunks, skipping the bytes before the data; stored elements
     * arrive in storage order and go to their row-major index (one stored as C or Fortran order).
     */
    private static void inflate(TensorEntry e, Deflated d, Target target) throws TensorFormatException {
        int width = e.type().bytes();
        long count = e.elementCount();
        Odometer scatter = e.rowMajorContiguous() ? null : storageOrder(e);
        Inflater inflater = new Inflater(true);
        try {
            inflater.setInput(d.file().map(d.compressedOffset(), d.compressedSize()));
            CRC32 crc = new CRC32();
            byte[] chunk = new byte[INFLATE_CHUNK];
            ByteBuffer view = ByteBuffer.wrap(chunk).order(e.order());
            long skip = e.offset();
            long done = 0;
            int filled = 0;
            while (done < count) {
                int n = inflater.inflate(chunk, filled, chunk.length - filled);
                if (n == 0 && (inflater.finished() || inflater.needsInput() || inflater.needsDictionary())) {
                    throw new TruncatedException(e.shown() + ": compressed data ends after " + inflater.getBytesWritten()
                            + " bytes, the member should hold " + d.inflatedSize());
                }
                crc.update(chunk, filled, n);
                filled += n;
                int from = 0;
                if (skip > 0) {
                    int s = (int) Math.min(skip, filled);
                    skip -= s;
                    from = s;
                }
                int elements = (int) Math.min((filled - from) / width, count - done);
                if (scatter == null) {
                    target.run((int) done, view.position(from).slice().order(e.order()), elements, e.type());
                } else {
                    for (int k = 0; k < elements; k++) {
                        target.at((int) scatter.position(), view, from + k * width, e.type());
                        scatter.advance();
                    }
                }
                done += elements;
                int used = from + elements * width;
                System.arraycopy(chunk, used, chunk, 0, filled - used);
                filled -= used;
                view.clear();
            }
            // the rest of the member (numpy writes none), through to the end of the stream, for the checksum
            while (!inflater.finished()) {
                int n = inflater.inflate(chunk);
                if (n == 0 && (inflater.needsInput() || inflater.needsDictionary())) {
                    throw new TruncatedException(e.shown() + ": compressed data ends early");
                }
                crc.update(chunk, 0, n);
                if (inflater.getBytesWritten() > d.inflatedSize()) {
                    throw new TensorFormatException(e.shown() + ": corrupt compressed data (more than the " + d.inflatedSize() + " bytes the archive lists)");
                }
            }
            if (inflater.getBytesWritten() != d.inflatedSize() || (int) crc.getValue() != d.crc()) {
                throw new TensorFormatException(e.shown() + ": corrupt compressed data (" + (inflater.getBytesWritten() != d.inflatedSize()
                        ? inflater.getBytesWritten() + " bytes instead of " + d.inflatedSize() : "CRC-32 mismatch") + ")");
            }
        } catch (DataFormatException ex) {
            throw new TensorFormatException(e.shown() + ": corrupt compressed data (" + ex.getMessage() + ")");
        } finally {
            inflater.end();
        }
    }

    /** For a dense layout given by its strides: the row-major index of each element in storage order. */
    private static Odometer storageOrder(TensorEntry e) throws TensorFormatException {
        long[] shape = e.shape();
        long[] strides = e.strides();
        Integer[] dims = new Integer[shape.length];
        for (int i = 0; i < dims.length; i++) {
            dims[i] = i;
        }
        Arrays.sort(dims, (a, b) -> Long.compare(strides[a], strides[b]));
        long[] rowMajor = TensorEntry.rowMajorStrides(shape);
        long[] extent = new long[dims.length];
        long[] step = new long[dims.length];
        long dense = 1;
        for (int level = 0; level < dims.length; level++) {
            int d = dims[level];
            if (shape[d] > 1 && strides[d] != dense) {
                throw new TensorFormatException(e.shown() + ": compressed members must be stored densely");
            }
            dense *= shape[d];
            extent[level] = shape[d];
            step[level] = rowMajor[d];
        }
        return new Odometer(0, extent, step);
    }

    /** Where decoded elements go. */
    private interface Target {
        /** The element at byte {@code position} of {@code b} to index {@code index}. */
        void at(int index, ByteBuffer b, int position, ElementType type);

        /** {@code n} consecutive elements from the start of {@code b} to indices {@code index…}. */
        void run(int index, ByteBuffer b, int n, ElementType type);
    }

    private record FloatTarget(float[] out) implements Target {
        @Override
        public void at(int index, ByteBuffer b, int position, ElementType type) {
            out[index] = switch (type) {
                case F32 -> b.getFloat(position);
                case F64 -> (float) b.getDouble(position);
                case F16 -> ElementType.halfToFloat(b.getShort(position));
                case BF16 -> ElementType.bfloatToFloat(b.getShort(position));
            };
        }

        @Override
        public void run(int index, ByteBuffer b, int n, ElementType type) {
            switch (type) {
                case F32 -> b.asFloatBuffer().get(out, index, n);
                case F64 -> {
                    for (int k = 0; k < n; k++) {
                        out[index + k] = (float) b.getDouble(k * 8);
                    }
                }
                case F16 -> {
                    for (int k = 0; k < n; k++) {
                        out[index + k] = ElementType.halfToFloat(b.getShort(k * 2));
                    }
                }
                case BF16 -> {
                    for (int k = 0; k < n; k++) {
                        out[index + k] = ElementType.bfloatToFloat(b.getShort(k * 2));
                    }
                }
            }
        }
    }

    private record DoubleTarget(double[] out) implements Target {
        @Override
        public void at(int index, ByteBuffer b, int position, ElementType type) {
            out[index] = switch (type) {
                case F32 -> b.getFloat(position);
                case F64 -> b.getDouble(position);
                case F16 -> ElementType.halfToFloat(b.getShort(position));
                case BF16 -> ElementType.bfloatToFloat(b.getShort(position));
            };
        }

        @Override
        public void run(int index, ByteBuffer b, int n, ElementType type) {
            if (type == ElementType.F64) {
                b.asDoubleBuffer().get(out, index, n);
                return;
            }
            for (int k = 0; k < n; k++) {
                at(index + k, b, k * type.bytes(), type);
            }
        }
    }
}
