package io.specwatch.monitor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;

import io.specwatch.analysis.WeightSnapshot;
import org.junit.jupiter.api.Test;

/** The memory budget and drop logic, without a worker thread. */
class SnapshotQueueTest {

    static WeightSnapshot snapshot(long step, int floats) {
        return new WeightSnapshot(step, 0, List.of(new WeightSnapshot.Weight("w", new long[] {1, floats}, new float[floats])));
    }

    @Test
    void admitsWhatFitsTheBudgetAndRefusesTheRest() throws Exception {
        SnapshotQueue q = new SnapshotQueue(1000);
        assertTrue(q.tryReserve(600));
        assertFalse(q.tryReserve(401), "600 + 401 > 1000");
        assertTrue(q.tryReserve(400), "600 + 400 = 1000 fits exactly");
        assertFalse(q.tryReserve(1));
        assertEquals(1000, q.pendingBytes());
        q.cancel(400);
        assertEquals(600, q.pendingBytes());
        assertFalse(q.tryReserve(Long.MAX_VALUE), "no overflow");
    }

    @Test
    void aQueuedSnapshotHoldsItsRealSizeUntilItIsDone() throws Exception {
        SnapshotQueue q = new SnapshotQueue(10_000);
        assertTrue(q.tryReserve(5_000)); // an estimate larger than the copy
        q.put(snapshot(3, 100), 5_000);
        assertEquals(400, q.pendingBytes(), "settled to 100 floats");
        assertFalse(q.awaitIdle(Duration.ofMillis(20)), "one snapshot still waits");
        SnapshotQueue.Entry e = q.poll(Duration.ofMillis(10));
        assertEquals(3, e.snapshot().step());
        assertEquals(400, q.pendingBytes(), "held while being analysed");
        q.done(e);
        assertEquals(0, q.pendingBytes());
        assertTrue(q.awaitIdle(Duration.ofMillis(20)));
        assertNull(q.poll(Duration.ofMillis(10)));
    }

    @Test
    void whatTheAnalysisHoldsBesidesTheQueueCountsAgainstTheBudget() {
        SnapshotQueue q = new SnapshotQueue(1000);
        assertTrue(q.tryReserve(300, 700), "300 + 700 = 1000 fits exactly");
        assertFalse(q.tryReserve(1, 700), "queued 300 + 1 + 700 > 1000");
        assertFalse(q.tryReserve(0, 1001), "the analysis alone would exceed the budget");
        assertFalse(q.tryReserve(100, Long.MAX_VALUE), "no overflow");
    }

    @Test
    void aBudgetMustBePositive() {
        assertThrows(IllegalArgumentException.class, () -> new SnapshotQueue(0));
    }
}
