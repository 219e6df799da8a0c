package io.specwatch.examples;

import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.Callable;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.GradientCollector;
import io.specwatch.monitor.SpectralMonitor;
import io.specwatch.monitor.WeightSource;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * The teacher–student setup of Kothapalli et al. (2024), "Crafting Heavy-Tails in Weight Matrix Spectrum without Gradient Noise": a
 * single-index teacher y = softplus(xᵀβ) + 0.3ε with ‖β‖ = 1, a two-layer student
 * f(x) = aᵀ tanh(Wx/√d)/√h with a fixed, both N(0, 1) at init, no biases, MSE loss
 * (mean of squares, as PyTorch's MSELoss), full batch, plain GD or Adam on W only.
 *
 * <p>One large step makes W bulk+spike with the spike aligned with β; small steps leave the bulk
 * untouched. β is registered with {@code monitor.trackDirection}, so the overlap |⟨v₁(W), β⟩| is
 * on /metrics and in the history. The loop is hand-written (DJL autograd, the update applied by
 * hand), so it offers the weights to the monitor itself; step 0 is the initialisation and is
 * always snapshotted.
 */
@Command(name = "teacher-student", mixinStandardHelpOptions = true, sortOptions = false,
        description = "P3's teacher-student regression: one large GD/Adam step creates a spike aligned with the teacher.")
public final class TeacherStudentExample implements Callable<Integer> {

    /** The name of the student's weight in metrics and history. */
    public static final String LAYER = "W";

    enum OptimizerKind { gd, adam }

    @Option(names = "--optimizer", defaultValue = "gd", description = "gd (plain gradient descent) or adam; default: ${DEFAULT-VALUE}")
    OptimizerKind optimizer;

    @Option(names = "--lr", defaultValue = "3000", description = "learning rate; default: ${DEFAULT-VALUE} (P3's large GD step; Adam: try 0.1)")
    double lr;

    @Option(names = "--steps", defaultValue = "10", description = "full-batch steps; default: ${DEFAULT-VALUE}")
    int steps;

    @Option(names = "--seed", defaultValue = "1", description = "random seed (data, teacher, student); default: ${DEFAULT-VALUE}")
    long seed;

    @Option(names = "--n", defaultValue = "2000", description = "training samples; default: ${DEFAULT-VALUE}")
    int n;

    @Option(names = "--d", defaultValue = "1000", description = "input dimension; default: ${DEFAULT-VALUE}")
    int d;

    @Option(names = "--h", defaultValue = "1500", description = "hidden width; default: ${DEFAULT-VALUE}")
    int h;

    @Mixin
    MonitorOptions monitorOptions;

    @Override
    public Integer call() throws Exception {
        String problem = monitorOptions.problem();
        if (problem != null) {
            System.err.println("teacher-student: " + problem);
            return 2;
        }
        if (n < 1 || d < 2 || h < 2 || steps < 0 || !(lr > 0)) {
            System.err.println("teacher-student: --n, --d, --h must be positive (d, h at least 2), --steps >= 0, --lr > 0");
            return 2;
        }
        Engine.getInstance().setRandomSeed((int) seed);
        monitorOptions.torchThreads.apply(0);
        try (MonitorOptions.Running running = monitorOptions.start("teacher-student",
                     SpectralMonitor.builder().memoryBudgetBytes(Math.max(256L << 20, 8L * h * d * 4)));
             NDManager manager = NDManager.newBaseManager()) {
            NDArray x = manager.randomNormal(new Shape(n, d));
            NDArray beta = manager.randomNormal(new Shape(d));
            beta = beta.div(beta.norm());
            NDArray y = Activation.softPlus(x.matMul(beta)).add(manager.randomNormal(new Shape(n)).mul(0.3f));
            NDArray w = manager.randomNormal(new Shape(h, d));
            NDArray a = manager.randomNormal(new Shape(h));
            w.setRequiresGradient(true);
            SpectralMonitor monitor = running.monitor();
            if (monitor != null) {
                monitor.trackDirection("teacher", "^" + LAYER + "$", beta.toFloatArray());
            }
            Adam adam = optimizer == OptimizerKind.adam ? new Adam(manager, w.getShape()) : null;
            double firstLoss = Double.NaN;
            double lastLoss = Double.NaN;
            long start = System.nanoTime();
            offer(monitor, 0, w, false);
            for (int step = 1; step <= steps; step++) {
                NDArray gradient;
                try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                    NDArray hidden = x.matMul(w.transpose()).div((float) Math.sqrt(d)).tanh();
                    NDArray f = hidden.matMul(a).div((float) Math.sqrt(h));
                    NDArray loss = f.sub(y).square().mean();
                    collector.backward(loss);
                    lastLoss = loss.getFloat();
                    if (step == 1) {
                        firstLoss = lastLoss;
                    }
                    gradient = w.getGradient();
                }
                applyUpdate(w, gradient, adam, step);
                offer(monitor, step, w, step == steps);
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            // read on the training thread at the end: the monitor must not have changed it
            int trainedThreads = TorchThreads.current();
            MonitorOptions.Summary monitored = monitorOptions.finish(monitor, Duration.ofMinutes(10));
            System.out.printf(Locale.ROOT, "{\"train_seconds\": %.3f, \"steps\": %d, \"torch_threads\": %d, \"snapshots\": %d, \"dropped\": %d, "
                    + "\"max_pause_ms\": %.3f, \"first_loss\": %.5f, \"loss\": %.5f, \"peak_rss_mb\": %.1f}%n",
                    seconds, steps, trainedThreads, monitored.snapshots(), monitored.dropped(), monitored.maxPauseMillis(), firstLoss, lastLoss, MonitorOptions.peakRssMegabytes());
            System.out.flush();
            monitorOptions.linger(monitor);
        }
        return 0;
    }

    /**
     * W ← W − update, with autograd off. PyTorch's grad mode is a per-thread setting that an
     * earlier job on the same thread (another DJL trainer) can leave on; an in-place change of a
     * leaf that requires grad is then refused. So the update never depends on what ran before.
     */
    private void applyUpdate(NDArray w, NDArray gradient, Adam adam, int step) {
        boolean grad = JniUtils.isGradMode();
        JniUtils.setGradMode(false);
        try {
            NDArray update = adam != null ? adam.step(gradient, step, lr) : gradient.mul((float) lr);
            w.subi(update);
            update.close();
            // PyTorch adds every backward pass to W's gradient: clear it for the next step
            gradient.subi(gradient);
        } finally {
            JniUtils.setGradMode(grad);
        }
    }

    /** Hands W (after {@code step} updates) to the monitor when due, or always when {@code force}. */
    private static void offer(SpectralMonitor monitor, long step, NDArray w, boolean force) {
        if (monitor == null) {
            return;
        }
        Shape shape = w.getShape();
        monitor.offer(step, WeightSource.single(LAYER, shape.getShape(), w::toFloatArray), force || step == 0);
    }

    /** Adam with PyTorch's defaults (β₁ 0.9, β₂ 0.999, ε 1e-8), bias-corrected. */
    private static final class Adam {
        private final NDArray m;
        private final NDArray v;

        Adam(NDManager manager, Shape shape) {
            m = manager.zeros(shape);
            v = manager.zeros(shape);
        }

        NDArray step(NDArray gradient, int t, double lr) {
            m.muli(0.9f).addi(gradient.mul(0.1f));
            v.muli(0.999f).addi(gradient.square().mul(0.001f));
            double c1 = 1 - Math.pow(0.9, t);
            double c2 = 1 - Math.pow(0.999, t);
            return m.div((float) c1).div(v.div((float) c2).sqrt().add(1e-8f)).mul((float) lr);
        }
    }
}
