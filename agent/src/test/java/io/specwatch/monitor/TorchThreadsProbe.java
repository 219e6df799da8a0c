package io.specwatch.monitor;

import java.time.Duration;
import java.util.List;

import ai.djl.engine.Engine;
import ai.djl.pytorch.jni.JniUtils;
import io.specwatch.analysis.WeightSnapshot;
import io.specwatch.engine.BlasThreads;

/**
 * Run in a fresh JVM by {@link TrainingThreadsTest}: sets PyTorch's intra-op threads to 1 on the
 * main thread (the training thread), then either builds a monitor and has it analyse one snapshot
 * ({@code monitor}) or initialises ND4J on the main thread itself ({@code nd4j-here}, the control),
 * and prints PyTorch's thread count as the main thread sees it afterwards.
 */
final class TorchThreadsProbe {

    private TorchThreadsProbe() {
    }

    public static void main(String[] args) throws Exception {
        Engine.getEngine("PyTorch");
        JniUtils.setNumThreads(1);
        System.out.println("before=" + JniUtils.getNumThreads());
        if (args[0].equals("monitor")) {
            try (SpectralMonitor monitor = SpectralMonitor.builder().build()) {
                // plain Java random numbers: nothing here may touch ND4J on this thread
                java.util.Random random = new java.util.Random(1);
                float[] values = new float[64 * 48];
                for (int i = 0; i < values.length; i++) {
                    values[i] = (float) random.nextGaussian();
                }
                monitor.offer(0, List.of(new WeightSnapshot.Weight("w", new long[] {64, 48}, values)));
                if (!monitor.awaitIdle(Duration.ofSeconds(60)) || monitor.health().analyses() != 1 || monitor.health().errors() != 0) {
                    throw new IllegalStateException("the monitor did not analyse the snapshot: " + monitor.health());
                }
            }
        } else {
            BlasThreads.set(1);
        }
        System.out.println("after=" + JniUtils.getNumThreads());
    }
}
