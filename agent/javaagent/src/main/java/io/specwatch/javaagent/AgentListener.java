package io.specwatch.javaagent;

import ai.djl.training.Trainer;
import ai.djl.training.listener.TrainingListenerAdapter;

/**
 * The listener the agent adds to a watched trainer, like {@code SpectralTrainingListener} but
 * without a count of its own: {@code onTrainingBatch} is one of the two points where the weights
 * of a step are seen ({@link TrainerWatch}), {@code onTrainingEnd} ends the trainer's run.
 */
final class AgentListener extends TrainingListenerAdapter {

    @Override
    public void onTrainingBatch(Trainer trainer, BatchData batchData) {
        TrainerHooks.batch(trainer);
    }

    @Override
    public void onTrainingEnd(Trainer trainer) {
        TrainerHooks.trainingEnded(trainer);
    }
}
