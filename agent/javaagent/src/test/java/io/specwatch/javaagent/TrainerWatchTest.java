package io.specwatch.javaagent;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.specwatch.monitor.SnapshotSchedule;

/**
 * The step count of the hooks, driven by the sequences of calls DJL makes: the offers must be the
 * listener path's (step b = the weights after b updates, each step once, the last weights at the
 * end), whichever of the two observation points a loop reaches.
 */
class TrainerWatchTest {

    /** Records offers; due steps are the monitor's real schedule (every 4, dense start). */
    static final class Offers implements TrainerWatch.Snapshots {
        final SnapshotSchedule schedule = new SnapshotSchedule(4, true);
        final List<String> offered = new ArrayList<>();

        @Override
        public boolean isDue(long step) {
            return schedule.isDue(step);
        }

        @Override
        public void offer(long step, boolean force) {
            offered.add(force ? step + "!" : String.valueOf(step));
        }

        /** The steps a snapshot is taken of: due offers and forced ones. */
        List<String> snapshots() {
            return offered.stream().filter(s -> s.endsWith("!") || isDue(Long.parseLong(s))).toList();
        }
    }

    @Test
    void aHandWrittenLoopIsCountedAtStep() {
        Offers offers = new Offers();
        TrainerWatch w = new TrainerWatch(0);
        for (int i = 0; i < 6; i++) {
            w.beforeUpdate(offers);
            w.afterUpdate();
        }
        w.finish(offers);
        assertEquals(List.of("0", "1", "2", "3", "4", "5", "6!"), offers.offered);
        assertEquals(List.of("0", "1", "2", "4", "6!"), offers.snapshots());
    }

    @Test
    void aBatchCallbackAndStepSeeTheSameWeightsOnce() {
        Offers offers = new Offers();
        TrainerWatch w = new TrainerWatch(0);
        for (int i = 0; i < 4; i++) {
            w.batch(offers);         // EasyTrain.trainBatch fires onTrainingBatch
            w.beforeUpdate(offers);  // then the loop calls step()
            w.afterUpdate();
        }
        w.finish(offers);
        assertEquals(List.of("0", "1", "2", "3", "4!"), offers.offered, "each step once, the last weights at the end");
    }

    @Test
    void gradientAccumulationCountsUpdatesNotBatches() {
        Offers offers = new Offers();
        TrainerWatch w = new TrainerWatch(0);
        for (int i = 0; i < 3; i++) {
            w.batch(offers);
            w.batch(offers);
            w.batch(offers);
            w.beforeUpdate(offers);
            w.afterUpdate();
        }
        assertEquals(3, w.step());
        assertEquals(List.of("0", "1", "2"), offers.offered);
    }

    @Test
    void closeAndOnTrainingEndFinishOnce() {
        Offers offers = new Offers();
        TrainerWatch w = new TrainerWatch(0);
        for (int i = 0; i < 5; i++) {
            w.beforeUpdate(offers);
            w.afterUpdate();
        }
        w.finish(offers);   // close() entered
        w.finish(offers);   // onTrainingEnd, which close() fires
        assertEquals(List.of("0", "1", "2", "3", "4", "5!"), offers.offered);
    }

    @Test
    void aTrailingBatchWithoutStepIsTheLastSnapshotWhenDueElseForced() {
        Offers due = new Offers();
        TrainerWatch w = new TrainerWatch(0);
        for (int i = 0; i < 8; i++) {
            w.beforeUpdate(due);
            w.afterUpdate();
        }
        w.batch(due);       // 8 is due and was offered
        w.finish(due);
        assertEquals("8", due.offered.get(due.offered.size() - 1));

        Offers notDue = new Offers();
        TrainerWatch v = new TrainerWatch(0);
        for (int i = 0; i < 5; i++) {
            v.beforeUpdate(notDue);
            v.afterUpdate();
        }
        v.batch(notDue);    // 5 offered, not due: not snapshotted
        v.finish(notDue);
        assertEquals(List.of("0", "1", "2", "3", "4", "5", "5!"), notDue.offered);
    }

    @Test
    void noUpdateNoLastSnapshot() {
        Offers offers = new Offers();
        new TrainerWatch(0).finish(offers);
        assertEquals(List.of(), offers.offered);
    }

    @Test
    void theNextTrainerContinuesTheCountWithoutRetakingItsFirstStep() {
        Offers offers = new Offers();
        TrainerWatch first = new TrainerWatch(0);
        for (int i = 0; i < 4; i++) {
            first.beforeUpdate(offers);
            first.afterUpdate();
        }
        first.finish(offers);
        TrainerWatch second = new TrainerWatch(first.step());
        for (int i = 0; i < 4; i++) {
            second.beforeUpdate(offers);
            second.afterUpdate();
        }
        second.finish(offers);
        assertEquals(List.of("0", "1", "2", "3", "4!", "5", "6", "7", "8!"), offers.offered, "step 4 is the first trainer's last, taken once");
        assertEquals(List.of("0", "1", "2", "4!", "8!"), offers.snapshots());
    }
}
