package io.specwatch.tensorfile;

/**
 * Bounds on what a reader accepts from a file, checked before anything is allocated. The defaults
 * hold the largest matrices of today's public models (a 128256 × 8192 embedding has 1.05·10⁹
 * elements) while a hostile header cannot make a reader allocate more than a few hundred MB.
 *
 * @param maxElements      largest tensor read, in elements ({@code --max-elements}); its float32 copy
 *                         must also fit the heap, which is checked separately when it is read
 * @param maxTensors       tensors in one checkpoint (all shards together), zip entries in one archive
 * @param maxPickleBytes   size of a {@code torch.save} archive's {@code data.pkl}
 * @param maxPickleObjects values a pickle may create (containers, strings, numbers); bounds its heap
 * @param maxDepth         nesting of pickle marks, tuples and containers, and of .npy header literals
 * @param maxStringBytes   one string in a pickle (a key, a name)
 */
public record ReadLimits(long maxElements, int maxTensors, long maxPickleBytes, int maxPickleObjects, int maxDepth,
                         int maxStringBytes) {

    /** Elements in the largest Java array (the JDK's own margin below {@code Integer.MAX_VALUE}). */
    public static final long MAX_ARRAY_ELEMENTS = Integer.MAX_VALUE - 8;

    /** 2³⁰ elements (4 GiB as float32), 200 000 tensors, a 64 MiB pickle of at most a million values. */
    public static final ReadLimits DEFAULT = new ReadLimits(1L << 30, 200_000, 64L << 20, 1_000_000, 100, 1 << 20);

    public ReadLimits {
        if (maxElements < 1 || maxTensors < 1 || maxPickleBytes < 1 || maxPickleObjects < 1 || maxDepth < 1 || maxStringBytes < 1) {
            throw new IllegalArgumentException("read limits must be positive");
        }
    }

    /** The same limits with another largest tensor. */
    public ReadLimits withMaxElements(long elements) {
        return new ReadLimits(elements, maxTensors, maxPickleBytes, maxPickleObjects, maxDepth, maxStringBytes);
    }
}
