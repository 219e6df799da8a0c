package io.specwatch.examples;

import java.io.BufferedWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicReference;

import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.EasyTrain;
import ai.djl.training.Trainer;
import ai.djl.training.dataset.Batch;
import ai.djl.training.loss.Loss;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import io.micrometer.core.instrument.Gauge;
import io.specwatch.monitor.SpectralMonitor;
import io.specwatch.source.djl.SpectralTrainingListener;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * Grokking on modular addition (Yunis et al. 2024): a one-layer Transformer learns (a + b) mod p from a
 * fraction of all pairs, full batch, AdamW with strong weight decay. Training accuracy reaches 1
 * early; test accuracy jumps much later, and the spectra show the weights simplifying (effective
 * rank falling) around the jump. Without weight decay ({@code --wd 0}) the jump does not come.
 *
 * <p>Defaults are reduced so that a run ends within about 15 minutes on 2 CPU cores (about 7 here);
 * P1's recipe is {@code --p 113 --width 128 --mlp 512 --steps 40000}. Train and test accuracy
 * are exported next to the spectra ({@code training_accuracy{split}}, {@code training_loss}).
 */
@Command(name = "grokking", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Modular addition with a one-layer Transformer: test accuracy jumps long after training accuracy (Yunis et al. 2024).")
public final class GrokkingExample implements Callable<Integer> {

    @Option(names = "--p", defaultValue = "59", description = "modulus (a prime); default: ${DEFAULT-VALUE} (P1: 113)")
    int p;

    @Option(names = "--train-fraction", defaultValue = "0.3", description = "fraction of all pairs used for training; default: ${DEFAULT-VALUE} (as P1)")
    double trainFraction;

    @Option(names = "--width", defaultValue = "64", description = "model width; default: ${DEFAULT-VALUE} (P1: 128)")
    int width;

    @Option(names = "--heads", defaultValue = "4", description = "attention heads; default: ${DEFAULT-VALUE}")
    int heads;

    @Option(names = "--mlp", defaultValue = "256", description = "MLP width; default: ${DEFAULT-VALUE} (P1: 512)")
    int mlp;

    @Option(names = "--steps", defaultValue = "10000", description = "full-batch steps; default: ${DEFAULT-VALUE} (P1: 40000)")
    int steps;

    @Option(names = "--lr", defaultValue = "0.001", description = "AdamW learning rate (betas 0.9, 0.98); default: ${DEFAULT-VALUE}")
    double lr;

    @Option(names = "--wd", defaultValue = "1.0", description = "AdamW weight decay (0: the no-grokking control); default: ${DEFAULT-VALUE}")
    double weightDecay;

    @Option(names = "--seed", defaultValue = "1", description = "seed of the split and the initialisation; default: ${DEFAULT-VALUE}")
    long seed;

    @Option(names = "--eval-every", defaultValue = "100", description = "measure train/test accuracy every K steps; default: ${DEFAULT-VALUE}")
    int evalEvery;

    @Option(names = "--accuracy-out", paramLabel = "FILE", description = "write step, loss, train and test accuracy as CSV to FILE")
    Path accuracyOut;

    @Mixin
    MonitorOptions monitorOptions;

    /** The accuracies the gauges read. */
    private record Progress(double loss, double train, double test) {
    }

    @Override
    public Integer call() throws Exception {
        String problem = monitorOptions.problem();
        if (problem != null) {
            System.err.println("grokking: " + problem);
            return 2;
        }
        if (p < 3 || !(trainFraction > 0 && trainFraction < 1) || width < heads || heads < 1 || width % heads != 0 || mlp < 1
                || steps < 1 || !(lr > 0) || weightDecay < 0 || evalEvery < 1) {
            System.err.println("grokking: need --p >= 3, 0 < --train-fraction < 1, --width a multiple of --heads, "
                    + "positive --mlp, --steps, --lr, --eval-every, and --wd >= 0");
            return 2;
        }
        Engine.getInstance().setRandomSeed((int) seed);
        monitorOptions.torchThreads.apply(0);
        AtomicReference<Progress> progress = new AtomicReference<>(new Progress(Double.NaN, Double.NaN, Double.NaN));
        try (MonitorOptions.Running running = monitorOptions.start("grokking", SpectralMonitor.builder());
             NDManager manager = NDManager.newBaseManager();
             Model model = Model.newInstance("grokking")) {
            if (running.server() != null) {
                for (String split : List.of("train", "test")) {
                    Gauge.builder("training_accuracy", progress, r -> split.equals("train") ? r.get().train() : r.get().test())
                            .description("accuracy of the example model on its training or test pairs")
                            .tag("model", "grokking").tag("split", split).register(running.server().meterRegistry());
                }
                Gauge.builder("training_loss", progress, r -> r.get().loss()).description("training loss (cross-entropy)")
                        .tag("model", "grokking").register(running.server().meterRegistry());
            }
            List<int[]> pairs = new ArrayList<>();
            for (int a = 0; a < p; a++) {
                for (int b = 0; b < p; b++) {
                    pairs.add(new int[] {a, b});
                }
            }
            Collections.shuffle(pairs, new Random(seed));
            int trainSize = (int) Math.round(trainFraction * pairs.size());
            NDArray trainX = tokens(manager, pairs.subList(0, trainSize));
            NDArray trainY = labels(manager, pairs.subList(0, trainSize));
            NDArray testX = tokens(manager, pairs.subList(trainSize, pairs.size()));
            NDArray testY = labels(manager, pairs.subList(trainSize, pairs.size()));

            model.setBlock(new OneLayerTransformer(p + 1, 3, p, width, heads, mlp));
            DefaultTrainingConfig config = new DefaultTrainingConfig(Loss.softmaxCrossEntropyLoss())
                    .optOptimizer(Optimizer.adamW().optLearningRateTracker(Tracker.fixed((float) lr))
                            .optBeta1(0.9f).optBeta2(0.98f).optWeightDecays((float) weightDecay).build());
            if (running.monitor() != null) {
                config.addTrainingListeners(new SpectralTrainingListener(running.monitor()));
            }
            int grokStep = -1;
            Progress last = progress.get();
            long start = System.nanoTime();
            try (Trainer trainer = model.newTrainer(config);
                 BufferedWriter csv = accuracyOut == null ? null : Files.newBufferedWriter(accuracyOut)) {
                trainer.initialize(new Shape(trainSize, 3));
                if (csv != null) {
                    csv.write("step,loss,train_accuracy,test_accuracy\n");
                }
                for (int step = 1; step <= steps; step++) {
                    try (NDManager scope = manager.newSubManager()) {
                        // DJL closes a batch's arrays with it: hand it copies of the (full) training set
                        NDArray x = trainX.duplicate();
                        NDArray y = trainY.duplicate();
                        x.attach(scope);
                        y.attach(scope);
                        try (Batch batch = new Batch(scope, new NDList(x), new NDList(y), 1, null, null, step, steps)) {
                            EasyTrain.trainBatch(trainer, batch);
                            trainer.step();
                        }
                    }
                    if (step % evalEvery == 0 || step == steps) {
                        last = new Progress(loss(trainer, trainX, trainY), accuracy(trainer, trainX, trainY), accuracy(trainer, testX, testY));
                        progress.set(last);
                        if (running.monitor() != null) {
                            // beside the spectra on the live page, in the history and in TensorBoard
                            running.monitor().recordTraining(step, "accuracy", "fraction", Map.of("train", last.train(), "test", last.test()));
                            running.monitor().recordTraining(step, "loss", "cross-entropy, nats", Map.of("train", last.loss()));
                        }
                        if (grokStep < 0 && last.test() >= 0.9) {
                            grokStep = step;
                        }
                        System.err.printf(Locale.ROOT, "step %d: loss %.4f, train accuracy %.3f, test accuracy %.3f%n",
                                step, last.loss(), last.train(), last.test());
                        if (csv != null) {
                            csv.write(String.format(Locale.ROOT, "%d,%.6f,%.4f,%.4f%n", step, last.loss(), last.train(), last.test()));
                            csv.flush();
                        }
                    }
                }
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            // read on the training thread at the end: the monitor must not have changed it
            int trainedThreads = TorchThreads.current();
            MonitorOptions.Summary monitored = monitorOptions.finish(running.monitor(), Duration.ofMinutes(5));
            System.out.printf(Locale.ROOT, "{\"train_seconds\": %.3f, \"steps\": %d, \"torch_threads\": %d, \"snapshots\": %d, \"dropped\": %d, "
                    + "\"max_pause_ms\": %.3f, \"loss\": %.5f, \"train_accuracy\": %.4f, \"test_accuracy\": %.4f, \"grok_step\": %d}%n",
                    seconds, steps, trainedThreads, monitored.snapshots(), monitored.dropped(), monitored.maxPauseMillis(), last.loss(), last.train(),
                    last.test(), grokStep);
            System.out.flush();
            monitorOptions.linger(running.monitor());
        }
        return 0;
    }

    /** Sequences "a b =" with "=" as token p. */
    private NDArray tokens(NDManager manager, List<int[]> pairs) {
        long[] ids = new long[pairs.size() * 3];
        for (int i = 0; i < pairs.size(); i++) {
            ids[3 * i] = pairs.get(i)[0];
            ids[3 * i + 1] = pairs.get(i)[1];
            ids[3 * i + 2] = p;
        }
        return manager.create(ids, new Shape(pairs.size(), 3));
    }

    private NDArray labels(NDManager manager, List<int[]> pairs) {
        float[] y = new float[pairs.size()];
        for (int i = 0; i < pairs.size(); i++) {
            y[i] = (pairs.get(i)[0] + pairs.get(i)[1]) % p;
        }
        return manager.create(y);
    }

    private static double accuracy(Trainer trainer, NDArray x, NDArray y) {
        try (NDManager scope = x.getManager().newSubManager()) {
            NDArray predicted = trainer.evaluate(new NDList(x)).singletonOrThrow().argMax(1);
            predicted.attach(scope);
            return predicted.toType(DataType.FLOAT32, false).eq(y).toType(DataType.FLOAT32, false).mean().getFloat();
        }
    }

    private static double loss(Trainer trainer, NDArray x, NDArray y) {
        try (NDManager scope = x.getManager().newSubManager()) {
            NDArray logits = trainer.evaluate(new NDList(x)).singletonOrThrow();
            logits.attach(scope);
            return trainer.getLoss().evaluate(new NDList(y), new NDList(logits)).getFloat();
        }
    }
}
