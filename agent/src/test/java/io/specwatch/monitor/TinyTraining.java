package io.specwatch.monitor;

import java.io.IOException;

import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.core.Linear;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.EasyTrain;
import ai.djl.training.Trainer;
import ai.djl.training.dataset.ArrayDataset;
import ai.djl.training.listener.TrainingListener;
import ai.djl.training.loss.Loss;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import ai.djl.translate.TranslateException;

/** A small real DJL classifier on synthetic data, trained with EasyTrain (tests only). */
final class TinyTraining {

    static final int FEATURES = 32;
    static final int CLASSES = 8;
    static final int BATCH = 32;

    private TinyTraining() {
    }

    static Model model() {
        Model model = Model.newInstance("tiny");
        model.setBlock(new SequentialBlock()
                .add(Linear.builder().setUnits(64).build())
                .add(Activation::relu)
                .add(Linear.builder().setUnits(48).build())
                .add(Activation::relu)
                .add(Linear.builder().setUnits(CLASSES).build()));
        return model;
    }

    static ArrayDataset data(NDManager manager, int samples) {
        NDArray x = manager.randomNormal(new Shape(samples, FEATURES));
        NDArray teacher = manager.randomNormal(new Shape(FEATURES, CLASSES));
        NDArray y = x.matMul(teacher).argMax(1).toType(ai.djl.ndarray.types.DataType.FLOAT32, false);
        return new ArrayDataset.Builder().setData(x).optLabels(y).setSampling(BATCH, true).build();
    }

    /** Trains for {@code epochs} over {@code samples} samples; returns the trainer's model for inspection. */
    static void train(Model model, int samples, int epochs, long seed, TrainingListener... listeners)
            throws IOException, TranslateException {
        Engine.getInstance().setRandomSeed((int) seed);
        try (NDManager manager = NDManager.newBaseManager()) {
            ArrayDataset data = data(manager, samples);
            DefaultTrainingConfig config = new DefaultTrainingConfig(Loss.softmaxCrossEntropyLoss())
                    .optOptimizer(Optimizer.adam().optLearningRateTracker(Tracker.fixed(1e-2f)).build())
                    .addTrainingListeners(listeners);
            try (Trainer trainer = model.newTrainer(config)) {
                trainer.initialize(new Shape(BATCH, FEATURES));
                EasyTrain.fit(trainer, epochs, data, null);
            }
        }
    }
}
