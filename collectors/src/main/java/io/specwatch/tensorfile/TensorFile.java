package io.specwatch.tensorfile;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * One open tensor file of any supported format, recognised by its content: {@code .npy},
 * {@code .npz}, {@code .safetensors}, a {@code torch.save} archive ({@code .pt}, {@code .pth},
 * {@code .bin}, {@code .ckpt}). Opening validates the whole structure against the file's real size
 * within {@link ReadLimits}; tensors are then read one at a time, each only after checking that it
 * fits the limits and the heap. Not thread-safe.
 */
public final class TensorFile implements AutoCloseable {

    /** The largest tensor {@link #open(Path)} reads by default. */
    static final long MAX_ELEMENTS = ReadLimits.DEFAULT.maxElements();

    /** Files a Trainer writes next to the model that hold no model weights (and, for training_args.bin, a pickled object). */
    static final Pattern NOT_WEIGHTS = Pattern.compile("(optimizer|scheduler|scaler|training_args|rng_state(_\\d+)?)\\.(pt|pth|bin)");

    private static final byte[] LEGACY_TORCH = {(byte) 0x80, 0x02, (byte) 0x8a, 0x0a, 0x6c, (byte) 0xfc, (byte) 0x9c, 0x46,
        (byte) 0xf9, 0x20, 0x6a, (byte) 0xa8, 0x50, 0x19};

    private final MappedFile file;
    private final ReadLimits limits;
    private final List<TensorEntry> entries;
    private final Map<TensorEntry, TensorData.Source> sources;

    private TensorFile(MappedFile file, ReadLimits limits, List<Map.Entry<TensorEntry, TensorData.Source>> located) {
        this.file = file;
        this.limits = limits;
        List<TensorEntry> list = new ArrayList<>(located.size());
        this.sources = new IdentityHashMap<>();
        for (Map.Entry<TensorEntry, TensorData.Source> e : located) {
            list.add(e.getKey());
            sources.put(e.getKey(), e.getValue());
        }
        this.entries = List.copyOf(list);
    }

    /** Opens a file with the default limits. */
    public static TensorFile open(Path path) throws TensorFormatException {
        return open(path, ReadLimits.DEFAULT);
    }

    /**
     * Opens and validates a file.
     *
     * @throws TensorFormatException with a one-line reason when the file cannot be read, is malformed or is refused
     */
    public static TensorFile open(Path path, ReadLimits limits) throws TensorFormatException {
        String fileName = path.getFileName() == null ? path.toString() : path.getFileName().toString();
        if (NOT_WEIGHTS.matcher(fileName).matches()) {
            throw new TensorFormatException(Printable.of(fileName) + " is training state saved by a Trainer (optimizer,"
                    + " scheduler, RNG or arguments), not model weights: pass the model file or its directory");
        }
        MappedFile file = MappedFile.open(path);
        try {
            return new TensorFile(file, limits, located(file, fileName, limits));
        } catch (TensorFormatException | RuntimeException e) {
            file.close();
            throw e;
        }
    }

    private static List<Map.Entry<TensorEntry, TensorData.Source>> located(MappedFile file, String fileName, ReadLimits limits)
            throws TensorFormatException {
        if (file.size() < 8) {
            throw new TruncatedException(file.size() == 0 ? "empty file (truncated, or not written yet)"
                    : "only " + file.size() + " bytes (truncated)");
        }
        ByteBuffer head = file.read(0, (int) Math.min(file.size(), NpyFormat.MAX_PREFIX));
        String lower = fileName.toLowerCase(java.util.Locale.ROOT);
        if (NpyFormat.hasMagic(head)) {
            NpyFormat.Header h = NpyFormat.parse(head, file.size(), limits.maxDepth());
            TensorEntry e = new TensorEntry(stem(fileName), h.shape(), h.type(), h.descr(), h.order(), h.strides(), h.dataOffset(),
                    file.path());
            return List.of(Map.entry(e, new TensorData.Mapped(file)));
        }
        if (ZipArchive.hasMagic(head)) {
            ZipArchive zip = ZipArchive.read(file, limits.maxTensors() + 64);
            if (zip.members().keySet().stream().anyMatch(n -> n.endsWith("/constants.pkl") || n.contains("/code/"))) {
                throw new TensorFormatException("a TorchScript archive (torch.jit.save), whose pickle names compiled classes:"
                        + " save the weights with torch.save(model.state_dict(), f) or safetensors instead");
            }
            if (TorchFormat.isTorchArchive(zip)) {
                return TorchFormat.read(file, zip, limits, stem(fileName));
            }
            if (NpzFormat.isNpz(zip)) {
                return NpzFormat.read(file, zip, limits);
            }
            throw new TensorFormatException("a zip archive that is neither a torch.save archive (no <archive>/data.pkl) nor an .npz (no .npy members)");
        }
        if (lower.endsWith(".safetensors") || looksLikeSafetensors(head, file.size())) {
            return mapped(file, SafetensorsFormat.read(file, limits));
        }
        if (startsWith(head, LEGACY_TORCH)) {
            throw new TensorFormatException("legacy torch.save format (PyTorch < 1.6), which only a full unpickler can read:"
                    + " load it in PyTorch and save it again with torch.save(obj, f) (the default _use_new_zipfile_serialization=True writes a zip archive)");
        }
        if (head.remaining() >= 2 && (head.get(0) & 0xff) == 0x80 && head.get(1) >= 2 && head.get(1) <= 5) {
            throw new TensorFormatException("a bare pickle, not a torch.save zip archive: refused (unpickling it could run any code);"
                    + " save tensors with torch.save or safetensors");
        }
        if (lower.endsWith(".npy")) {
            throw new TensorFormatException("not a .npy file (wrong magic bytes)");
        }
        if (lower.endsWith(".npz") || lower.endsWith(".pt") || lower.endsWith(".pth") || lower.endsWith(".bin") || lower.endsWith(".ckpt")) {
            throw new TensorFormatException("not a zip archive (torch.save and numpy.savez write zip archives)");
        }
        throw new TensorFormatException("unknown file type: expected .safetensors, .npy, .npz or a torch.save archive (.pt, .pth, .bin, .ckpt)");
    }

    private static List<Map.Entry<TensorEntry, TensorData.Source>> mapped(MappedFile file, List<TensorEntry> entries) {
        TensorData.Source source = new TensorData.Mapped(file);
        List<Map.Entry<TensorEntry, TensorData.Source>> out = new ArrayList<>(entries.size());
        for (TensorEntry e : entries) {
            out.add(Map.entry(e, source));
        }
        return out;
    }

    /** A header length that fits the file followed by a JSON object: safetensors under another name. */
    private static boolean looksLikeSafetensors(ByteBuffer head, long size) {
        if (head.remaining() < 10) {
            return false;
        }
        long n = head.getLong(0);
        return n >= 2 && n <= size - 8 && head.get(8) == '{';
    }

    private static boolean startsWith(ByteBuffer head, byte[] magic) {
        if (head.remaining() < magic.length) {
            return false;
        }
        for (int i = 0; i < magic.length; i++) {
            if (head.get(i) != magic[i]) {
                return false;
            }
        }
        return true;
    }

    public Path path() {
        return file.path();
    }

    /** The tensors in file order (a torch.save archive: the saved dict's order). */
    public List<TensorEntry> entries() {
        return entries;
    }

    /**
     * The tensor's elements as float32, row-major, whatever their stored type and layout.
     *
     * @throws TensorTooLargeException when it exceeds {@link ReadLimits#maxElements()} or the free heap (nothing was allocated)
     * @throws TensorFormatException   when it cannot be read (not floating point, file changed, corrupt compressed data)
     */
    public float[] readFloats(TensorEntry entry) throws TensorFormatException {
        TensorData.Source source = check(entry, Float.BYTES, "float32");
        return TensorData.floats(entry, source);
    }

    /** The tensor's elements as float64, row-major: float64 data exactly as stored. */
    public double[] readDoubles(TensorEntry entry) throws TensorFormatException {
        TensorData.Source source = check(entry, Double.BYTES, "float64");
        return TensorData.doubles(entry, source);
    }

    private TensorData.Source check(TensorEntry entry, int bytes, String as) throws TensorFormatException {
        TensorData.Source source = sources.get(entry);
        if (source == null) {
            throw new IllegalArgumentException("tensor " + entry.shown() + " is not an entry of " + Printable.of(path().toString()));
        }
        if (entry.type() == null) {
            throw new TensorFormatException(entry.shown() + ": dtype " + Printable.of(entry.typeName()) + " is not floating point");
        }
        long count = entry.elementCount();
        // count · bytes can pass 2⁶³ for a hostile shape: saturate for the message; it is exact below the array limit
        long need = count > Long.MAX_VALUE / bytes ? Long.MAX_VALUE : count * bytes;
        if (count > limits.maxElements()) {
            throw new TensorTooLargeException(entry.shown() + " " + entry.shapeText() + ": " + count + " elements, more than"
                    + " --max-elements " + limits.maxElements() + " (as " + as + " it needs " + Heap.bytes(need)
                    + " of heap): skipped; raise --max-elements, with a heap to match (JAVA_OPTS=-Xmx" + suggestedHeap(need) + ")");
        }
        if (count > ReadLimits.MAX_ARRAY_ELEMENTS) {
            throw new TensorTooLargeException(entry.shown() + " " + entry.shapeText() + ": " + count + " elements, more than one"
                    + " Java array holds (" + ReadLimits.MAX_ARRAY_ELEMENTS + "): skipped");
        }
        if (!Heap.fits(need)) {
            Runtime r = Runtime.getRuntime();
            throw new TensorTooLargeException(entry.shown() + " " + entry.shapeText() + ": needs " + Heap.bytes(need) + " of heap as "
                    + as + ", " + Heap.bytes(Math.max(0, r.maxMemory() - (r.totalMemory() - r.freeMemory()))) + " of -Xmx "
                    + Heap.bytes(r.maxMemory()) + " is free: skipped; run with a larger heap (JAVA_OPTS=-Xmx" + suggestedHeap(need)
                    + "), or set --max-elements below " + count + " to skip such tensors without trying");
        }
        return source;
    }

    /** A heap that holds the tensor, the analysis next to it and some margin, in whole GiB. */
    private static String suggestedHeap(long bytes) {
        return (long) Math.ceil(2.0 * bytes / (1L << 30)) + 1 + "g";
    }

    static String stem(String fileName) {
        int dot = fileName.lastIndexOf('.');
        return dot > 0 ? fileName.substring(0, dot) : fileName;
    }

    @Override
    public void close() {
        file.close();
    }
}
