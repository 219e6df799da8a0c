package io.specwatch.tensorfile;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * An open file read through positional reads (small headers, into bounded heap buffers) and
 * read-only memory maps (tensor data, pickles, central directories: no heap copy). Mapped pages
 * are the operating system's page cache, not heap; a map is released when its buffer is collected.
 */
final class MappedFile implements AutoCloseable {

    /** Largest single map (a ByteBuffer is int-indexed). */
    static final long MAX_MAP = Integer.MAX_VALUE - 7;

    private final Path path;
    private final FileChannel channel;
    private final long size;

    private MappedFile(Path path, FileChannel channel, long size) {
        this.path = path;
        this.channel = channel;
        this.size = size;
    }

    static MappedFile open(Path path) throws TensorFormatException {
        if (Files.isDirectory(path)) {
            throw new TensorFormatException("is a directory");
        }
        FileChannel channel;
        try {
            channel = FileChannel.open(path, StandardOpenOption.READ);
        } catch (NoSuchFileException e) {
            throw new TensorFormatException("no such file");
        } catch (AccessDeniedException e) {
            throw new TensorFormatException("permission denied");
        } catch (IOException | SecurityException | UnsupportedOperationException e) {
            throw new TensorFormatException("cannot open: " + e.getMessage());
        }
        try {
            return new MappedFile(path, channel, channel.size());
        } catch (IOException e) {
            closeQuietly(channel);
            throw new TensorFormatException("cannot read: " + e.getMessage());
        }
    }

    Path path() {
        return path;
    }

    /** The size when the file was opened; every offset was checked against it. */
    long size() {
        return size;
    }

    /** Reads exactly {@code length} bytes at {@code position} into a new little-endian heap buffer. */
    ByteBuffer read(long position, int length) throws TensorFormatException {
        if (position < 0 || length < 0 || position > size - length) {
            throw new TensorFormatException("file is truncated (needs bytes " + position + "–" + (position + length)
                    + ", has " + size + ")");
        }
        ByteBuffer buffer = ByteBuffer.allocate(length).order(ByteOrder.LITTLE_ENDIAN);
        try {
            while (buffer.hasRemaining()) {
                if (channel.read(buffer, position + buffer.position()) < 0) {
                    throw new TensorFormatException("file is truncated (it shrank while being read)");
                }
            }
        } catch (TensorFormatException e) {
            throw e;
        } catch (IOException e) {
            throw new TensorFormatException("cannot read: " + e.getMessage());
        }
        return buffer.flip();
    }

    /**
     * Maps {@code length} bytes at {@code position} read-only, little-endian. The range was validated
     * against the opening size; a file that has shrunk since is refused rather than mapped (touching
     * a page past the end of a mapped file would fault).
     */
    ByteBuffer map(long position, long length) throws TensorFormatException {
        if (position < 0 || length < 0 || length > MAX_MAP || position > size - length) {
            throw new TensorFormatException("internal: map of " + length + " bytes at " + position + " outside the file");
        }
        try {
            if (channel.size() < position + length) {
                throw new TensorFormatException("the file shrank to " + channel.size() + " bytes while being read (rewritten?)");
            }
            return channel.map(FileChannel.MapMode.READ_ONLY, position, length).order(ByteOrder.LITTLE_ENDIAN);
        } catch (TensorFormatException e) {
            throw e;
        } catch (IOException | UnsupportedOperationException e) {
            throw new TensorFormatException("cannot map: " + e.getMessage());
        }
    }

    private static void closeQuietly(FileChannel channel) {
        try {
            channel.close();
        } catch (IOException ignored) {
            // the open failed already; that is the error worth reporting
        }
    }

    @Override
    public void close() {
        closeQuietly(channel);
    }
}
