package io.specwatch.source.djl;

import ai.djl.Model;
import ai.djl.training.Trainer;
import ai.djl.training.listener.TrainingListener;
import ai.djl.training.listener.TrainingListenerAdapter;
import io.specwatch.monitor.SpectralMonitor;

/**
 * A DJL {@link TrainingListener} that feeds a {@link SpectralMonitor}. DJL has no global step, so
 * the listener counts training batches itself: {@code onTrainingBatch} fires after the backward
 * pass and before {@code trainer.step()}, so batch b sees the weights after b updates, and that
 * is the step reported (step 0 is the initialisation). The final weights are snapshotted at
 * {@code onTrainingEnd}.
 *
 * <p>For hand-written loops that call {@code trainer.step()} themselves (where DJL never fires
 * {@code onTrainingBatch}) call {@link #observe(long, Model)} before each step instead.
 */
public final class SpectralTrainingListener extends TrainingListenerAdapter {

    private final SpectralMonitor monitor;
    private DjlWeightSource source;
    private long step;

    public SpectralTrainingListener(SpectralMonitor monitor) {
        this.monitor = monitor;
    }

    @Override
    public void onTrainingBatch(Trainer trainer, BatchData batchData) {
        observe(step++, trainer.getModel());
    }

    /** The weights after the last update: no batch callback ever sees them, so they are always snapshotted. */
    @Override
    public void onTrainingEnd(Trainer trainer) {
        if (step > 0) {
            monitor.offer(step, source(trainer.getModel()), true);
        }
    }

    /** Offers the model's weights at {@code step}; the monitor snapshots them if the step is due. Never throws. */
    public void observe(long step, Model model) {
        monitor.offer(step, source(model), false);
    }

    /** Batches seen so far. */
    public long step() {
        return step;
    }

    private DjlWeightSource source(Model model) {
        if (source == null || source.model() != model) {
            source = new DjlWeightSource(model);
        }
        return source;
    }
}
