package io.specwatch.monitor;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The monitor's own counters: what was taken, dropped, failed, and is waiting. Thread-safe. */
public final class MonitorHealth {

    private static final Logger LOG = LoggerFactory.getLogger(MonitorHealth.class);

    final LongAdder snapshots = new LongAdder();
    final LongAdder dropped = new LongAdder();
    final LongAdder errors = new LongAdder();
    final AtomicLong lastStep = new AtomicLong(-1);
    final AtomicLong lastEpochMillis = new AtomicLong();
    final AtomicLong analysisNanos = new AtomicLong();
    final LongAdder analyses = new LongAdder();
    /** Longest time the training thread spent inside the monitor for one step. */
    final AtomicLong maxPauseNanos = new AtomicLong();
    /** Total time the training thread spent inside the monitor. */
    final LongAdder totalPauseNanos = new LongAdder();
    private final Set<String> loggedCauses = ConcurrentHashMap.newKeySet();
    private final LongSupplier pendingBytes;

    MonitorHealth(LongSupplier pendingBytes) {
        this.pendingBytes = pendingBytes;
    }

    /** Snapshots taken and queued for analysis. */
    public long snapshots() {
        return snapshots.sum();
    }

    /** Snapshots dropped because the queue was over its memory budget. */
    public long dropped() {
        return dropped.sum();
    }

    /** Failures inside the monitor (copying, analysis, sinks). */
    public long errors() {
        return errors.sum();
    }

    /** Bytes of snapshots queued and not yet analysed. */
    public long pendingBytes() {
        return pendingBytes.getAsLong();
    }

    /** Step of the last analysed snapshot, -1 before the first. */
    public long lastStep() {
        return lastStep.get();
    }

    /** Wall-clock time (ms since the epoch) of the last analysed snapshot, 0 before the first. */
    public long lastEpochMillis() {
        return lastEpochMillis.get();
    }

    /** Snapshots analysed. */
    public long analyses() {
        return analyses.sum();
    }

    /** Total analysis time in seconds. */
    public double analysisSeconds() {
        return analysisNanos.get() / 1e9;
    }

    /** Longest time the training thread spent in one call to the monitor, in milliseconds. */
    public double maxPauseMillis() {
        return maxPauseNanos.get() / 1e6;
    }

    /** Total time the training thread spent in calls to the monitor, in milliseconds. */
    public double totalPauseMillis() {
        return totalPauseNanos.sum() / 1e6;
    }

    /** Records one analysed snapshot. */
    void analysed(long step, long epochMillis, long nanos) {
        analysisNanos.addAndGet(nanos);
        analyses.increment();
        lastStep.set(step);
        lastEpochMillis.set(epochMillis);
    }

    void recordPause(long nanos) {
        totalPauseNanos.add(nanos);
        maxPauseNanos.accumulateAndGet(nanos, Math::max);
    }

    /** Logs a warning the first time it is seen; counts nothing (a setting to change, not a failure). */
    void warnOnce(String message) {
        if (loggedCauses.size() < 1000 && loggedCauses.add(message)) {
            LOG.warn("specwatch monitor: {}", message);
        }
    }

    /** Counts a failure and logs it the first time its cause (class and message) is seen. */
    void failure(String where, Throwable e) {
        errors.increment();
        String cause = where + ": " + e.getClass().getName() + ": " + e.getMessage();
        if (loggedCauses.size() < 1000 && loggedCauses.add(cause)) {
            LOG.warn("specwatch monitor: {} (further failures with this cause are counted, not logged)", cause, e);
        }
    }
}
