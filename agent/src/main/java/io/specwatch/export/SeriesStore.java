package io.specwatch.export;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.specwatch.analysis.LayerReport;
import io.specwatch.catalogue.Field;
import io.specwatch.catalogue.MetricCatalogue;
import io.specwatch.monitor.ReportSink;
import io.specwatch.monitor.TrainingPoint;

/**
 * The recent values of the charted fields ({@link MetricCatalogue#charts()}) per layer, for the live
 * page: bounded to the last {@code capacity} snapshots of each layer, so memory stays flat however
 * long training runs.
 */
public final class SeriesStore implements ReportSink {

    /**
     * One point of a layer's series.
     *
     * @param step   training step
     * @param values the charted fields' values in {@link MetricCatalogue#charts()} order; NaN where one does not apply
     */
    public record Point(long step, double[] values) {
    }

    private static final List<Field> CHARTS = MetricCatalogue.charts();

    private final int capacity;
    private final Map<String, Deque<Point>> series = new LinkedHashMap<>();
    private final Map<String, Deque<TrainingPoint>> training = new LinkedHashMap<>();

    public SeriesStore(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be >= 1");
        }
        this.capacity = capacity;
    }

    /** The charted fields, in the order of {@link Point#values()}. */
    public static List<Field> charts() {
        return CHARTS;
    }

    @Override
    public synchronized void accept(List<LayerReport> snapshot) {
        for (LayerReport r : snapshot) {
            double[] values = new double[CHARTS.size()];
            for (int i = 0; i < values.length; i++) {
                Object v = CHARTS.get(i).value(r);
                values[i] = v instanceof Number n ? n.doubleValue() : Double.NaN;
            }
            Deque<Point> d = series.computeIfAbsent(r.layer(), k -> new ArrayDeque<>());
            d.addLast(new Point(r.step(), values));
            while (d.size() > capacity) {
                d.removeFirst();
            }
        }
    }

    /** Keeps the last {@code capacity} training values of each metric. */
    @Override
    public synchronized void acceptTraining(TrainingPoint point) {
        Deque<TrainingPoint> d = training.computeIfAbsent(point.metric(), k -> new ArrayDeque<>());
        d.addLast(point);
        while (d.size() > capacity) {
            d.removeFirst();
        }
    }

    /** The layers seen so far, in the order they first came. */
    public synchronized List<String> layers() {
        return new ArrayList<>(series.keySet());
    }

    /** The recent training values of every metric, oldest first per metric. */
    public synchronized List<TrainingPoint> training() {
        List<TrainingPoint> out = new ArrayList<>();
        training.values().forEach(out::addAll);
        return out;
    }

    public synchronized List<Point> series(String layer) {
        Deque<Point> d = series.get(layer);
        return d == null ? List.of() : new ArrayList<>(d);
    }
}
