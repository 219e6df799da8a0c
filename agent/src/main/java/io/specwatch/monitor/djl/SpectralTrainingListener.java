package io.specwatch.monitor.djl;

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
            offer(step, trainer.getModel(), true);
        }
    }

    /** Snapshots the model's weights at {@code step} if the schedule says so. Never throws. */
    public void observe(long step, Model model) {
        offer(step, model, false);
    }

    /** Batches seen so far. */
    public long step() {
        return step;
    }

    private void offer(long at, Model model, boolean force) {
        if (!force && !monitor.isDue(at)) {
            return;
        }
        long estimate;
        try {
            estimate = DjlWeights.estimateBytes(model, monitor.settings());
        } catch (RuntimeException e) {
            estimate = 0;
        }
        monitor.offer(at, estimate, force, () -> DjlWeights.copy(model, monitor.settings()));
    }
}
