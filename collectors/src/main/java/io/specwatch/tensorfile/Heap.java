package io.specwatch.tensorfile;

/**
 * Decides before an allocation whether the heap can take it, so that a large tensor or header
 * is refused with a line saying what to do instead of ending the process with OutOfMemoryError.
 */
final class Heap {

    /** Kept free for everything else the process does. */
    private static final long RESERVE = 32L << 20;

    private Heap() {
    }

    private static long headroom() {
        Runtime r = Runtime.getRuntime();
        return r.maxMemory() - (r.totalMemory() - r.freeMemory()) - RESERVE;
    }

    /** True when {@code bytes} fit, asking for a collection first when garbage may be what is in the way. */
    static boolean fits(long bytes) {
        if (bytes <= headroom()) {
            return true;
        }
        if (bytes > Runtime.getRuntime().maxMemory() - RESERVE) {
            return false;
        }
        System.gc();
        return bytes <= headroom();
    }

    /** Throws when {@code bytes} of working memory for {@code what} do not fit. */
    static void require(long bytes, String what) throws TensorFormatException {
        if (!fits(bytes)) {
            throw new TensorTooLargeException(what + " needs about " + bytes(bytes) + " of heap, "
                    + bytes(Math.max(0, headroom())) + " of -Xmx " + bytes(Runtime.getRuntime().maxMemory())
                    + " is free: run with a larger heap (JAVA_OPTS=-Xmx…)");
        }
    }

    /** A size for people: 1.5 GiB, 340 MiB, 12 KiB. */
    static String bytes(long n) {
        if (n >= 1L << 30) {
            return String.format(java.util.Locale.ROOT, "%.1f GiB", n / (double) (1L << 30));
        }
        if (n >= 1L << 20) {
            return String.format(java.util.Locale.ROOT, "%.0f MiB", n / (double) (1L << 20));
        }
        return String.format(java.util.Locale.ROOT, "%.0f KiB", Math.ceil(n / 1024.0));
    }
}
