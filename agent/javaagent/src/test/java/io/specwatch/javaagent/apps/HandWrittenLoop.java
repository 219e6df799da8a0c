package io.specwatch.javaagent.apps;

import java.util.Locale;

import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.core.Linear;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.EasyTrain;
import ai.djl.training.GradientCollector;
import ai.djl.training.Trainer;
import ai.djl.training.dataset.Batch;
import ai.djl.training.loss.Loss;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;

/**
 * A DJL job that knows nothing of specwatch, the way people write one: a small classifier and a
 * training loop of its own that calls {@code trainer.step()} itself.
 *
 * <pre>
 * --steps N             optimiser updates per trainer (default 30)
 * --loop hand|easy      hand: forward, loss and backward written out (no listener callback ever fires);
 *                       easy: EasyTrain.trainBatch for each batch (fires onTrainingBatch)   (default hand)
 * --batches-per-step K  batches whose gradients one update uses (default 1)
 * --trainers T          trainers one after another on the same model (default 1)
 * --step-delay-ms MS    sleep after each update (default 0)
 * --until-input         print "training" after the first update, and stop early (a clean end) once a line arrives
 *                       on stdin: a job to attach to that runs as long as a test needs
 * </pre>
 *
 * Its last stdout line: {@code {"updates": U, "batches": B, "loss": L}}. It returns from main (no
 * System.exit): the JVM must end by itself.
 */
public final class HandWrittenLoop {

    private HandWrittenLoop() {
    }

    private static boolean inputArrived() {
        try {
            return System.in.available() > 0;
        } catch (java.io.IOException e) {
            return true;
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    public static void main(String[] args) {
        int steps = 30;
        String loop = "hand";
        int batchesPerStep = 1;
        int trainers = 1;
        long delay = 0;
        boolean untilInput = false;
        for (int i = 0; i < args.length; i += 2) {
            if (args[i].equals("--until-input")) {
                untilInput = true;
                i--;
                continue;
            }
            switch (args[i]) {
                case "--steps" -> steps = Integer.parseInt(args[i + 1]);
                case "--loop" -> loop = args[i + 1];
                case "--batches-per-step" -> batchesPerStep = Integer.parseInt(args[i + 1]);
                case "--trainers" -> trainers = Integer.parseInt(args[i + 1]);
                case "--step-delay-ms" -> delay = Long.parseLong(args[i + 1]);
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        Engine.getInstance().setRandomSeed(7);
        long updates = 0;
        long batches = 0;
        float loss = Float.NaN;
        try (Model model = Model.newInstance("loop"); NDManager manager = NDManager.newBaseManager()) {
            model.setBlock(new SequentialBlock()
                    .add(Linear.builder().setUnits(48).build())
                    .add(Activation::relu)
                    .add(Linear.builder().setUnits(4).build()));
            NDArray teacher = manager.randomNormal(new Shape(24, 4));
            for (int t = 0; t < trainers; t++) {
                DefaultTrainingConfig config = new DefaultTrainingConfig(Loss.softmaxCrossEntropyLoss())
                        .optOptimizer(Optimizer.sgd().setLearningRateTracker(Tracker.fixed(0.05f)).build());
                try (Trainer trainer = model.newTrainer(config)) {
                    if (t == 0) {
                        trainer.initialize(new Shape(32, 24));
                    }
                    for (int s = 0; s < steps; s++) {
                        for (int b = 0; b < batchesPerStep; b++) {
                            try (NDManager scope = manager.newSubManager()) {
                                NDArray x = scope.randomNormal(new Shape(32, 24));
                                NDArray y = x.matMul(teacher).argMax(1).toType(DataType.FLOAT32, false);
                                if (loop.equals("easy")) {
                                    try (Batch batch = new Batch(scope, new NDList(x), new NDList(y), 1, null, null, s, steps)) {
                                        EasyTrain.trainBatch(trainer, batch);
                                    }
                                    loss = Float.NaN;
                                } else {
                                    try (GradientCollector collector = trainer.newGradientCollector()) {
                                        NDArray predicted = trainer.forward(new NDList(x)).singletonOrThrow();
                                        NDArray l = trainer.getLoss().evaluate(new NDList(y), new NDList(predicted));
                                        collector.backward(l);
                                        loss = l.getFloat();
                                    }
                                }
                                batches++;
                            }
                        }
                        trainer.step();
                        updates++;
                        if (delay > 0) {
                            sleep(delay);
                        }
                        if (untilInput && updates == 1) {
                            System.out.println("training");
                        }
                        if (untilInput && inputArrived()) {
                            break;
                        }
                    }
                }
            }
        }
        System.out.printf(Locale.ROOT, "{\"updates\": %d, \"batches\": %d, \"loss\": %s}%n", updates, batches,
                Float.isNaN(loss) ? "null" : Float.toString(loss));
    }
}
