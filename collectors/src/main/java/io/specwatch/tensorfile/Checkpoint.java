package io.specwatch.tensorfile;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The model weights of one checkpoint: a single file ({@code .safetensors}, {@code .npy},
 * {@code .npz}, a {@code torch.save} archive such as {@code .pt}/{@code .pth}/{@code pytorch_model.bin}
 * or a Lightning {@code .ckpt}) or a Hugging Face model or Trainer checkpoint directory (sharded or
 * not). Opening validates every file's structure; tensors are then read one at a time from
 * memory-mapped files, so the heap needed is that of the largest tensor, not of the checkpoint.
 * Only model weights are listed: a Lightning checkpoint's {@code state_dict}, never its optimizer
 * states; a Trainer directory's model files, never {@code optimizer.pt} or {@code training_args.bin}.
 *
 * <pre>{@code
 * try (Checkpoint c = Checkpoint.open(dir, ReadLimits.DEFAULT)) {
 *     for (TensorEntry e : c.entries()) {
 *         if (e.type() != null && e.dimensions() >= 2) {
 *             float[] w = c.readFloats(e);    // TensorTooLargeException: skip this one, go on
 *         }
 *     }
 * }
 * }</pre>
 *
 * Not thread-safe: read from one thread, or open one per thread.
 */
public final class Checkpoint implements AutoCloseable {

    private final Path path;
    private final List<TensorFile> parts;
    private final List<TensorEntry> entries;
    private final List<Path> files;
    private final Map<Path, TensorFile> byFile;

    private Checkpoint(Path path, List<TensorFile> parts, List<TensorEntry> entries, List<Path> files) {
        this.path = path;
        this.parts = List.copyOf(parts);
        this.entries = List.copyOf(entries);
        this.files = List.copyOf(files);
        this.byFile = new HashMap<>();
        for (TensorFile f : parts) {
            byFile.put(f.path(), f);
        }
    }

    /** Opens a checkpoint with the default limits. */
    public static Checkpoint open(Path fileOrDirectory) throws TensorFormatException {
        return open(fileOrDirectory, ReadLimits.DEFAULT);
    }

    /**
     * Opens and validates a checkpoint file or directory.
     *
     * @throws TensorFormatException one line saying why it cannot be read: missing, truncated, malformed,
     *                               refused (a pickle global outside the allow-list), or not model weights
     */
    public static Checkpoint open(Path fileOrDirectory, ReadLimits limits) throws TensorFormatException {
        if (!Files.isDirectory(fileOrDirectory)) {
            TensorFile f = TensorFile.open(fileOrDirectory, limits);
            return new Checkpoint(fileOrDirectory, List.of(f), f.entries(), List.of(fileOrDirectory));
        }
        ModelDirectory.Layout layout = ModelDirectory.layout(fileOrDirectory, limits);
        List<TensorFile> parts = new ArrayList<>();
        List<TensorEntry> entries = new ArrayList<>();
        List<Path> files = new ArrayList<>();
        if (layout.index() != null) {
            files.add(layout.index());
        }
        Set<String> names = new HashSet<>();
        try {
            for (Path weights : layout.weights()) {
                TensorFile f;
                try {
                    f = TensorFile.open(weights, limits);
                } catch (TruncatedException e) {
                    throw new TruncatedException(Printable.of(weights.getFileName().toString()) + ": " + e.getMessage());
                } catch (TensorFormatException e) {
                    throw new TensorFormatException(Printable.of(weights.getFileName().toString()) + ": " + e.getMessage());
                }
                parts.add(f);
                files.add(weights);
                Set<String> listed = layout.expected().getOrDefault(weights, Set.of());
                Set<String> present = new HashSet<>();
                for (TensorEntry e : f.entries()) {
                    if (!names.add(e.name())) {
                        throw new TensorFormatException("tensor '" + e.shown() + "' appears in two files (the second is "
                                + Printable.of(weights.getFileName().toString()) + ")");
                    }
                    if (entries.size() >= limits.maxTensors()) {
                        throw new TensorFormatException("more than " + limits.maxTensors() + " tensors");
                    }
                    present.add(e.name());
                    entries.add(e);
                }
                for (String name : listed) {
                    if (!present.contains(name)) {
                        throw new TensorFormatException("the index places '" + Printable.of(name) + "' in "
                                + Printable.of(weights.getFileName().toString()) + ", which does not hold it");
                    }
                }
            }
        } catch (TensorFormatException | RuntimeException e) {
            parts.forEach(TensorFile::close);
            throw e;
        }
        return new Checkpoint(fileOrDirectory, parts, entries, files);
    }

    /** The file or directory this was opened from. */
    public Path path() {
        return path;
    }

    /** The model's weight tensors (every dtype; check {@link TensorEntry#type()}), in file order, shard by shard. */
    public List<TensorEntry> entries() {
        return entries;
    }

    /** The files it reads: the index (if any) and every weight file (for size-stability checks). */
    public List<Path> files() {
        return files;
    }

    /**
     * One tensor as float32, row-major (F16/BF16 widened exactly, F64 rounded).
     *
     * @throws TensorTooLargeException when it exceeds the limits or the free heap: nothing was allocated, the other tensors can still be read
     */
    public float[] readFloats(TensorEntry entry) throws TensorFormatException {
        return part(entry).readFloats(entry);
    }

    /** One tensor as float64, row-major: exactly the stored values. */
    public double[] readDoubles(TensorEntry entry) throws TensorFormatException {
        return part(entry).readDoubles(entry);
    }

    private TensorFile part(TensorEntry entry) {
        TensorFile f = byFile.get(entry.file());
        if (f == null) {
            throw new IllegalArgumentException("tensor " + entry.shown() + " is not from " + Printable.of(path.toString()));
        }
        return f;
    }

    /**
     * Why the file or directory is not yet a whole checkpoint (truncated or still being written), or
     * empty when it is structurally complete: a safetensors file whose tensors reach exactly its end,
     * a zip whose central directory is present and in range, an .npy holding all its data, an index
     * whose shards all exist and are complete, a Trainer checkpoint directory with its
     * {@code trainer_state.json}. A complete file can still be malformed: {@link #open} says so.
     * Never throws.
     */
    public static Optional<String> incomplete(Path fileOrDirectory) {
        try {
            if (!Files.exists(fileOrDirectory)) {
                return Optional.of("does not exist");
            }
            if (Files.isDirectory(fileOrDirectory)) {
                return ModelDirectory.incomplete(fileOrDirectory);
            }
            return incompleteFile(fileOrDirectory);
        } catch (RuntimeException e) {
            return Optional.of("cannot check: " + e);
        }
    }

    static Optional<String> incompleteFile(Path file) {
        try (TensorFile ignored = TensorFile.open(file, ReadLimits.DEFAULT)) {
            return Optional.empty();
        } catch (TruncatedException e) {
            return Optional.of(e.getMessage());
        } catch (TensorFormatException e) {
            if (!Files.exists(file)) {
                return Optional.of("does not exist");
            }
            return Optional.empty(); // whole but unreadable: opening it says why
        }
    }

    @Override
    public void close() {
        for (TensorFile f : parts) {
            f.close();
        }
    }
}
