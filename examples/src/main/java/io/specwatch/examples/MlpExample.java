package io.specwatch.examples;

import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.Callable;

import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.core.Linear;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.EasyTrain;
import ai.djl.training.Trainer;
import ai.djl.training.dataset.Batch;
import ai.djl.training.loss.Loss;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import io.specwatch.monitor.SpectralMonitor;
import io.specwatch.source.djl.SpectralTrainingListener;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * A small DJL classifier (a few Linear layers) on synthetic data: Gaussian inputs labelled by a
 * fixed random linear teacher. Trained step by step with {@code EasyTrain.trainBatch}, so the
 * monitor's listener sees every step. The last stdout line is a JSON summary.
 */
@Command(name = "mlp", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Train a small MLP on synthetic data with the spectral monitor attached.")
public final class MlpExample implements Callable<Integer> {

    @Option(names = "--steps", defaultValue = "2000", description = "training steps; default: ${DEFAULT-VALUE}")
    int steps;

    @Option(names = "--seed", defaultValue = "1", description = "random seed; default: ${DEFAULT-VALUE}")
    int seed;

    @Option(names = "--features", defaultValue = "128", description = "input dimension; default: ${DEFAULT-VALUE}")
    int features;

    @Option(names = "--hidden", defaultValue = "256", description = "width of the two hidden layers; default: ${DEFAULT-VALUE}")
    int hidden;

    @Option(names = "--classes", defaultValue = "10", description = "classes; default: ${DEFAULT-VALUE}")
    int classes;

    @Option(names = "--batch", defaultValue = "128", description = "batch size; default: ${DEFAULT-VALUE}")
    int batch;

    @Option(names = "--lr", defaultValue = "0.001", description = "Adam learning rate; default: ${DEFAULT-VALUE}")
    float lr;

    @Option(names = "--inject-nan-at", paramLabel = "STEP",
            description = "after this step, put a NaN into the middle layer's weights (to see the non-finite alert fire)")
    Long injectNanAt;

    @Option(names = "--reinit-at", paramLabel = "STEP",
            description = "after this step, re-randomise the middle layer's weights (to see a trained layer turn random-like)")
    Long reinitAt;

    @Option(names = "--step-delay-ms", defaultValue = "0", paramLabel = "MS",
            description = "sleep this long after every step: a slower run to watch live (the dashboards' end-to-end test uses it); default: ${DEFAULT-VALUE}")
    int stepDelayMs;

    @Mixin
    MonitorOptions monitorOptions;

    @Override
    public Integer call() throws Exception {
        String problem = monitorOptions.problem();
        if (problem != null) {
            System.err.println("mlp: " + problem);
            return 2;
        }
        if ((injectNanAt != null && (injectNanAt < 0 || injectNanAt >= steps)) || (reinitAt != null && (reinitAt < 0 || reinitAt >= steps))) {
            System.err.println("mlp: --inject-nan-at and --reinit-at must be a step in [0, --steps)");
            return 2;
        }
        if (steps < 1 || features < 1 || hidden < 1 || classes < 2 || batch < 1 || !(lr > 0) || stepDelayMs < 0) {
            System.err.println("mlp: --steps, --features, --hidden, --batch and --lr must be positive, --classes at least 2, --step-delay-ms >= 0");
            return 2;
        }
        Engine.getInstance().setRandomSeed(seed);
        monitorOptions.torchThreads.apply(1);
        try (MonitorOptions.Running running = monitorOptions.start("mlp", SpectralMonitor.builder());
             NDManager manager = NDManager.newBaseManager();
             Model model = Model.newInstance("mlp")) {
            model.setBlock(new SequentialBlock()
                    .add(Linear.builder().setUnits(hidden).build())
                    .add(Activation::relu)
                    .add(Linear.builder().setUnits(hidden).build())
                    .add(Activation::relu)
                    .add(Linear.builder().setUnits(classes).build()));
            DefaultTrainingConfig config = new DefaultTrainingConfig(Loss.softmaxCrossEntropyLoss())
                    .optOptimizer(Optimizer.adam().optLearningRateTracker(Tracker.fixed(lr)).build());
            SpectralTrainingListener listener = null;
            if (running.monitor() != null) {
                listener = new SpectralTrainingListener(running.monitor());
                config.addTrainingListeners(listener);
            }
            NDArray teacher = manager.randomNormal(new Shape(features, classes));
            double accuracy;
            long start = System.nanoTime();
            try (Trainer trainer = model.newTrainer(config)) {
                trainer.initialize(new Shape(batch, features));
                for (int step = 0; step < steps; step++) {
                    try (NDManager scope = manager.newSubManager()) {
                        NDArray x = scope.randomNormal(new Shape(batch, features));
                        NDArray y = x.matMul(teacher).argMax(1).toType(DataType.FLOAT32, false);
                        try (Batch b = new Batch(scope, new NDList(x), new NDList(y), 1, null, null, step, steps)) {
                            EasyTrain.trainBatch(trainer, b);
                            trainer.step();
                        }
                        injectAnomalies(step, model);
                    }
                    if (stepDelayMs > 0) {
                        Thread.sleep(stepDelayMs);
                    }
                }
                accuracy = accuracy(trainer, manager, teacher);
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            // read on the training thread at the end: the monitor must not have changed it
            int trainedThreads = TorchThreads.current();
            MonitorOptions.Summary monitored = monitorOptions.finish(running.monitor(), Duration.ofMinutes(2));
            System.out.printf(Locale.ROOT, "{\"train_seconds\": %.3f, \"steps\": %d, \"torch_threads\": %d, \"snapshots\": %d, \"dropped\": %d, "
                    + "\"max_pause_ms\": %.3f, \"total_pause_ms\": %.3f, \"analysis_seconds\": %.3f, \"test_accuracy\": %.4f, \"peak_rss_mb\": %.1f}%n",
                    seconds, steps, trainedThreads, monitored.snapshots(), monitored.dropped(), monitored.maxPauseMillis(), monitored.totalPauseMillis(),
                    monitored.analysisSeconds(), accuracy, MonitorOptions.peakRssMegabytes());
            System.out.flush();
            monitorOptions.linger(running.monitor());
        }
        return 0;
    }

    /** The anomalies a user can ask for, applied to the middle Linear layer's weights after {@code step}. */
    private void injectAnomalies(int step, Model model) {
        boolean nan = injectNanAt != null && step == injectNanAt;
        boolean reinit = reinitAt != null && step == reinitAt;
        if (!nan && !reinit) {
            return;
        }
        var parameter = model.getBlock().getParameters().get(MIDDLE_WEIGHT);
        NDArray weight = parameter.getArray();
        if (reinit) {
            // the same scale as DJL's default Xavier initialisation of this layer
            double scale = Math.sqrt(2.0 / (weight.getShape().get(0) + weight.getShape().get(1)));
            try (NDManager temporary = weight.getManager().newSubManager();
                 NDArray fresh = temporary.randomNormal(0, (float) scale, weight.getShape(), DataType.FLOAT32)) {
                weight.set(new NDIndex(":"), fresh);
            }
            System.err.printf("mlp: re-randomised %s after step %d%n", MIDDLE_WEIGHT, step);
        }
        if (nan) {
            weight.set(new NDIndex("0, 0"), Float.NaN);
            System.err.printf("mlp: put a NaN into %s after step %d%n", MIDDLE_WEIGHT, step);
        }
    }

    /** Name DJL gives the second Linear layer's weight in the SequentialBlock built above. */
    static final String MIDDLE_WEIGHT = "03Linear_weight";

    private double accuracy(Trainer trainer, NDManager manager, NDArray teacher) {
        try (NDManager scope = manager.newSubManager()) {
            NDArray x = scope.randomNormal(new Shape(2000, features));
            NDArray y = x.matMul(teacher).argMax(1);
            NDArray predicted = trainer.evaluate(new NDList(x)).singletonOrThrow().argMax(1);
            return predicted.eq(y).toType(DataType.FLOAT32, false).mean().getFloat();
        }
    }
}
