package io.specwatch.examples;

import ai.djl.pytorch.jni.JniUtils;
import picocli.CommandLine.Option;

/**
 * PyTorch's intra-op thread count for the training thread (a picocli mixin inside {@link MonitorOptions}).
 * The analysis needs CPU too: a model too small to profit from intra-op parallelism trains as
 * fast or faster on fewer threads and leaves the other cores to the monitor (docs/benchmarks.md).
 */
public final class TorchThreads {

    /** PyTorch's own default, read once before any example changes it. */
    private static Integer pytorchDefault;

    @Option(names = "--torch-threads", paramLabel = "N",
            description = "PyTorch intra-op threads for training (0: PyTorch's default, one per core); default: 1 for mlp, 0 for the others")
    Integer threads;

    /** A message when the flag is invalid, else null. */
    String problem() {
        return threads != null && threads < 0 ? "--torch-threads must be >= 0, got " + threads : null;
    }

    /**
     * Sets the count on the calling thread, which must be the thread that trains: OpenMP keeps the
     * setting per thread. Call after the PyTorch engine is loaded.
     */
    void apply(int exampleDefault) {
        int wanted = threads != null ? threads : exampleDefault;
        synchronized (TorchThreads.class) {
            if (pytorchDefault == null) {
                pytorchDefault = JniUtils.getNumThreads();
            }
            JniUtils.setNumThreads(wanted == 0 ? pytorchDefault : wanted);
        }
    }

    /** The intra-op thread count the calling thread trains with now. */
    static int current() {
        return JniUtils.getNumThreads();
    }
}
