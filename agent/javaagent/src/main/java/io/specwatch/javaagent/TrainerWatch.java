package io.specwatch.javaagent;

/**
 * The step count of one watched trainer, and which of its steps are offered to the monitor.
 *
 * <p>A step is one optimiser update: one call of {@code Trainer.step()} that returned. The
 * weights after {@code u} updates are observed at two points, and either may be missing:
 * DJL's {@code onTrainingBatch} callback (which {@code EasyTrain} fires after the backward pass,
 * before {@code step()}) and the entry of {@code step()} itself (which every loop reaches,
 * hand-written ones included). Both see the same weights, so both offer step {@code u}, and a
 * step number is offered once: a loop that fires both is not counted twice, a loop that fires only
 * {@code step()} is counted, and a loop that accumulates gradients over several batches per update
 * counts updates, not batches. This is the listener's numbering (step 0 is the initialisation,
 * step b the weights after b updates), so the agent and {@code SpectralTrainingListener} snapshot
 * the same steps.
 *
 * <p>Trainers watched one after another continue the count: {@code firstStep} is where the
 * previous one ended. Not thread-safe: the hooks call it under their lock.
 */
final class TrainerWatch {

    /** What the watch asks of the monitor. */
    interface Snapshots {
        /** True when {@code step} is on the monitor's schedule. */
        boolean isDue(long step);

        /** Offers the current weights as {@code step}; {@code force} snapshots it whatever the schedule. */
        void offer(long step, boolean force);
    }

    private final long firstStep;
    private long updates;
    /** The last step number offered (the first step counts as offered when an earlier trainer ended there). */
    private long offered;
    /** The last step snapshotted by {@link #finish} (close and onTrainingEnd both finish). */
    private long forced = -1;

    TrainerWatch(long firstStep) {
        this.firstStep = firstStep;
        this.updates = firstStep;
        this.offered = firstStep == 0 ? -1 : firstStep;
    }

    /** The step the current weights are (updates so far, counting earlier trainers). */
    long step() {
        return updates;
    }

    /** DJL's {@code onTrainingBatch}: the weights before this batch's update. */
    void batch(Snapshots snapshots) {
        offer(snapshots);
    }

    /** {@code Trainer.step()} entered: the same weights, if no batch callback offered them. */
    void beforeUpdate(Snapshots snapshots) {
        offer(snapshots);
    }

    /** {@code Trainer.step()} returned: one more update. */
    void afterUpdate() {
        updates++;
    }

    /**
     * The trainer closes (or training ended): its last weights are snapshotted whatever the
     * schedule, unless no update happened or they were already snapshotted as a due step.
     */
    void finish(Snapshots snapshots) {
        if (updates == firstStep || forced == updates || (offered == updates && snapshots.isDue(updates))) {
            return;
        }
        offered = updates;
        forced = updates;
        snapshots.offer(updates, true);
    }

    private void offer(Snapshots snapshots) {
        if (offered != updates) {
            offered = updates;
            snapshots.offer(updates, false);
        }
    }
}
