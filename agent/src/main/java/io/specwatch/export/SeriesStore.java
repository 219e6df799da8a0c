package io.specwatch.export;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.specwatch.monitor.LayerReport;
import io.specwatch.monitor.ReportSink;

/**
 * The recent history of a few scalars per layer, for the live page: bounded to the last
 * {@code capacity} snapshots of each layer, so memory stays flat however long training runs.
 */
public final class SeriesStore implements ReportSink {

    /** One point of a layer's series; NaN where a value does not apply. */
    public record Point(long step, double alpha, double alphaHill, double effectiveRankRatio, double spikes,
                        double svMax, double stableRank, double agreementFirst, double updateNormRatio) {
    }

    private final int capacity;
    private final Map<String, Deque<Point>> series = new LinkedHashMap<>();

    public SeriesStore(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be >= 1");
        }
        this.capacity = capacity;
    }

    @Override
    public synchronized void accept(List<LayerReport> snapshot) {
        for (LayerReport r : snapshot) {
            var rep = r.report();
            var pl = rep.powerLaw();
            var rank = rep.rank();
            Point p = new Point(r.step(),
                    pl != null && pl.ok() ? pl.alpha() : Double.NaN,
                    rep.alphaHill() != null ? rep.alphaHill() : Double.NaN,
                    rank != null ? rank.effectiveRankRatio() : Double.NaN,
                    rep.mp() != null ? rep.mp().spikes() : Double.NaN,
                    rank != null ? rank.svMax() : Double.NaN,
                    rank != null ? rank.stableRank() : Double.NaN,
                    r.agreementFirst(), r.updateNormRatio());
            Deque<Point> d = series.computeIfAbsent(r.layer(), k -> new ArrayDeque<>());
            d.addLast(p);
            while (d.size() > capacity) {
                d.removeFirst();
            }
        }
    }

    public synchronized List<Point> series(String layer) {
        Deque<Point> d = series.get(layer);
        return d == null ? List.of() : new ArrayList<>(d);
    }
}
