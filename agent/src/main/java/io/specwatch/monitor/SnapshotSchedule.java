package io.specwatch.monitor;

/**
 * Which steps are snapshotted: every {@code every} steps, and with {@code denseEarly} also steps
 * 0, 1, 2, 4, 8, … below {@code every}, because the first updates change the spectra the most
 * (Yunis et al. 2024, Kothapalli et al. 2024; docs/spectral-metrics.md).
 *
 * @param every      snapshot interval in steps (≥ 1)
 * @param denseEarly also snapshot the powers of two before the first interval
 */
public record SnapshotSchedule(int every, boolean denseEarly) {

    public SnapshotSchedule {
        if (every < 1) {
            throw new IllegalArgumentException("snapshot interval must be >= 1, got " + every);
        }
    }

    public boolean isDue(long step) {
        if (step < 0) {
            return false;
        }
        if (step % every == 0) {
            return true;
        }
        return denseEarly && step < every && Long.bitCount(step) == 1;
    }
}
