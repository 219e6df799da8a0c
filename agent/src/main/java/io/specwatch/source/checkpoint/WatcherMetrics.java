package io.specwatch.source.checkpoint;

import java.util.LinkedHashMap;
import java.util.Map;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.MeterBinder;

/** The checkpoint watcher's own metrics, read from its counts at scrape time. */
public final class WatcherMetrics implements MeterBinder {

    /** The metrics in Prometheus form with their type, for the documentation check. */
    public static final Map<String, String> METRICS = metrics();

    private final CheckpointWatcher.Counts counts;
    private final Tags tags;

    /** The watcher's counts, labelled with its model and its rank (its shard's index; 0 for a lone watcher). */
    public WatcherMetrics(CheckpointWatcher.Counts counts, String model, int rank) {
        this.counts = counts;
        this.tags = Tags.of("model", model, "rank", Integer.toString(rank));
    }

    private static Map<String, String> metrics() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("specwatch_checkpoints_seen_total", "counter");
        m.put("specwatch_checkpoints_analysed_total", "counter");
        m.put("specwatch_checkpoints_skipped_total", "counter");
        m.put("specwatch_checkpoints_failed_total", "counter");
        m.put("specwatch_checkpoint_last_step", "gauge");
        m.put("specwatch_checkpoint_lag_seconds", "gauge");
        return java.util.Collections.unmodifiableMap(m);
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        FunctionCounter.builder("specwatch.checkpoints.seen", counts, CheckpointWatcher.Counts::seen)
                .description("Checkpoints found in the watched directory").tags(tags).register(registry);
        FunctionCounter.builder("specwatch.checkpoints.analysed", counts, CheckpointWatcher.Counts::analysed)
                .description("Checkpoints analysed and exported").tags(tags).register(registry);
        FunctionCounter.builder("specwatch.checkpoints.skipped", counts, CheckpointWatcher.Counts::skipped)
                .description("Checkpoints deleted (rotated away) before or while they were analysed").tags(tags).register(registry);
        FunctionCounter.builder("specwatch.checkpoints.failed", counts, CheckpointWatcher.Counts::failed)
                .description("Checkpoints that could not be read or analysed").tags(tags).register(registry);
        Gauge.builder("specwatch.checkpoint.last.step", counts, CheckpointWatcher.Counts::lastStep)
                .description("Training step of the last analysed checkpoint").tags(tags).register(registry);
        Gauge.builder("specwatch.checkpoint.lag", counts, CheckpointWatcher.Counts::lagSeconds).baseUnit("seconds")
                .description("From the last write of the last analysed checkpoint to its metrics being exported").tags(tags).register(registry);
    }
}
