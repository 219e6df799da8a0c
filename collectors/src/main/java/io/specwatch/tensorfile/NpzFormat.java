package io.specwatch.tensorfile;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/**
 * NumPy's {@code .npz}: a zip archive of {@code .npy} members, stored ({@code numpy.savez}) or
 * deflated ({@code numpy.savez_compressed}). Stored members are mapped like a {@code .npy} file;
 * deflated ones are inflated while being read (only the header is inflated when the archive is
 * opened, at most {@link NpyFormat#MAX_PREFIX} bytes of output).
 */
final class NpzFormat {

    private NpzFormat() {
    }

    static boolean isNpz(ZipArchive zip) {
        return zip.members().keySet().stream().anyMatch(n -> n.endsWith(".npy"));
    }

    static List<Map.Entry<TensorEntry, TensorData.Source>> read(MappedFile file, ZipArchive zip, ReadLimits limits)
            throws TensorFormatException {
        List<Map.Entry<TensorEntry, TensorData.Source>> entries = new ArrayList<>();
        for (ZipArchive.Member m : zip.members().values()) {
            if (!m.name().endsWith(".npy") || m.name().endsWith("/")) {
                continue; // numpy.load returns other members as raw bytes: not arrays
            }
            if (entries.size() >= limits.maxTensors()) {
                throw new TensorFormatException("more than " + limits.maxTensors() + " arrays");
            }
            String name = m.name().substring(0, m.name().length() - 4);
            String shown = Printable.of(m.name());
            int prefixLength = (int) Math.min(m.size(), NpyFormat.MAX_PREFIX);
            boolean stored = m.method() == ZipArchive.STORED;
            ByteBuffer prefix = stored ? file.read(m.dataOffset(), prefixLength) : inflatePrefix(file, m, prefixLength);
            NpyFormat.Header h;
            try {
                h = NpyFormat.parse(prefix, m.size(), limits.maxDepth());
            } catch (TruncatedException e) {
                throw new TruncatedException(shown + ": " + e.getMessage());
            } catch (TensorFormatException e) {
                throw new TensorFormatException(shown + ": " + e.getMessage());
            }
            TensorData.Source source = stored ? new TensorData.Mapped(file)
                    : new TensorData.Deflated(file, m.dataOffset(), m.compressedSize(), m.size(), m.crc());
            long offset = stored ? m.dataOffset() + h.dataOffset() : h.dataOffset();
            entries.add(Map.entry(new TensorEntry(name, h.shape(), h.type(), h.descr(), h.order(), h.strides(), offset, file.path()),
                    source));
        }
        return entries;
    }

    private static ByteBuffer inflatePrefix(MappedFile file, ZipArchive.Member m, int length) throws TensorFormatException {
        Inflater inflater = new Inflater(true);
        try {
            inflater.setInput(file.map(m.dataOffset(), m.compressedSize()));
            byte[] out = new byte[length];
            int filled = 0;
            while (filled < length) {
                int n = inflater.inflate(out, filled, length - filled);
                if (n == 0 && (inflater.finished() || inflater.needsInput() || inflater.needsDictionary())) {
                    break;
                }
                filled += n;
            }
            return ByteBuffer.wrap(out, 0, filled).slice().order(java.nio.ByteOrder.LITTLE_ENDIAN);
        } catch (DataFormatException e) {
            throw new TensorFormatException(Printable.of(m.name()) + ": corrupt compressed data (" + e.getMessage() + ")");
        } finally {
            inflater.end();
        }
    }
}
