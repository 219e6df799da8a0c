package io.specwatch.tensorfile;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;

/**
 * An open {@code .npy} or {@code .safetensors} file: its validated tensor entries, read one at a
 * time. Every size is checked against the file's real length before anything is allocated, so a
 * hostile header cannot cause a huge allocation.
 */
public final class TensorFile implements AutoCloseable {

    /** Largest tensor read into one Java array. */
    static final long MAX_ELEMENTS = Integer.MAX_VALUE - 16;
    private static final int CHUNK = 1 << 20;

    private final Path path;
    private final FileChannel channel;
    private final List<TensorEntry> entries;

    private TensorFile(Path path, FileChannel channel, List<TensorEntry> entries) {
        this.path = path;
        this.channel = channel;
        this.entries = entries;
    }

    /**
     * Opens and validates a file: {@code .npy} by its magic bytes, {@code .safetensors} by name.
     *
     * @throws TensorFormatException with a one-line reason when the file cannot be read
     */
    public static TensorFile open(Path path) throws TensorFormatException {
        FileChannel channel;
        try {
            channel = FileChannel.open(path, StandardOpenOption.READ);
        } catch (NoSuchFileException e) {
            throw new TensorFormatException("no such file");
        } catch (IOException | SecurityException e) {
            throw new TensorFormatException("cannot open: " + e.getMessage());
        }
        try {
            if (Files.isDirectory(path)) {
                throw new TensorFormatException("is a directory");
            }
            long size = channel.size();
            List<TensorEntry> entries;
            if (NpyFormat.hasMagic(channel)) {
                entries = List.of(NpyFormat.read(channel, size, stem(path)));
            } else if (path.getFileName().toString().endsWith(".safetensors")) {
                entries = SafetensorsFormat.read(channel, size);
            } else if (path.getFileName().toString().endsWith(".npy")) {
                throw new TensorFormatException("not a .npy file (wrong magic bytes)");
            } else {
                throw new TensorFormatException("unknown file type: expected .npy or .safetensors");
            }
            return new TensorFile(path, channel, entries);
        } catch (TensorFormatException e) {
            closeQuietly(channel);
            throw e;
        } catch (IOException e) {
            closeQuietly(channel);
            throw new TensorFormatException("cannot read: " + e.getMessage(), e);
        }
    }

    public Path path() {
        return path;
    }

    /** The tensors in file order. */
    public List<TensorEntry> entries() {
        return entries;
    }

    /** The tensor's elements as float32, row-major. */
    public float[] readFloats(TensorEntry entry) throws TensorFormatException {
        float[] out = new float[checkedCount(entry)];
        read(entry, (i, v) -> out[i] = (float) v);
        return entry.fortran() ? NpyFormat.fortranToRowMajor(out, entry.shape()) : out;
    }

    /** The tensor's elements as float64, row-major (exact for every supported type). */
    public double[] readDoubles(TensorEntry entry) throws TensorFormatException {
        double[] out = new double[checkedCount(entry)];
        read(entry, (i, v) -> out[i] = v);
        return entry.fortran() ? NpyFormat.fortranToRowMajor(out, entry.shape()) : out;
    }

    private int checkedCount(TensorEntry entry) throws TensorFormatException {
        if (entry.type() == null) {
            throw new TensorFormatException(entry.name() + ": dtype " + entry.typeName() + " is not a floating-point type");
        }
        if (entry.elementCount() > MAX_ELEMENTS) {
            throw new TensorFormatException(entry.name() + ": " + entry.elementCount() + " elements exceed the " + MAX_ELEMENTS + " a Java array holds");
        }
        return (int) entry.elementCount();
    }

    private interface Sink {
        void accept(int index, double value);
    }

    private void read(TensorEntry entry, Sink sink) throws TensorFormatException {
        int width = entry.type().bytes();
        long count = entry.elementCount();
        ByteBuffer buffer = ByteBuffer.allocate((int) Math.min(CHUNK, Math.max(width, count * width))).order(entry.order());
        long position = entry.offset();
        int index = 0;
        try {
            while (index < count) {
                buffer.clear();
                long remaining = (count - index) * width;
                if (remaining < buffer.capacity()) {
                    buffer.limit((int) remaining);
                }
                while (buffer.hasRemaining()) {
                    int n = channel.read(buffer, position);
                    if (n < 0) {
                        throw new TensorFormatException(entry.name() + ": file ends inside the tensor data");
                    }
                    position += n;
                }
                buffer.flip();
                while (buffer.remaining() >= width) {
                    sink.accept(index++, entry.type().read(buffer));
                }
            }
        } catch (TensorFormatException e) {
            throw e;
        } catch (IOException e) {
            throw new TensorFormatException(entry.name() + ": cannot read: " + e.getMessage(), e);
        }
    }

    /** Reads exactly {@code length} bytes at {@code position}, which the caller has checked against the file size. */
    static ByteBuffer readFully(FileChannel channel, long position, int length) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(length);
        while (buffer.hasRemaining()) {
            if (channel.read(buffer, position + buffer.position()) < 0) {
                throw new TensorFormatException("file is truncated");
            }
        }
        return buffer.flip();
    }

    private static String stem(Path path) {
        String name = path.getFileName().toString();
        int dot = name.lastIndexOf('.');
        return dot > 0 ? name.substring(0, dot) : name;
    }

    private static void closeQuietly(FileChannel channel) {
        try {
            channel.close();
        } catch (IOException ignored) {
            // the open failed already; that is the error worth reporting
        }
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
