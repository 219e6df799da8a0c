package io.specwatch.analysis;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Pattern;

import io.specwatch.engine.DenseMatrix;
import io.specwatch.engine.SingularVectors;
import io.specwatch.engine.SpectrumEngine;
import io.specwatch.metrics.Dynamics;

/**
 * Turns snapshots into {@link LayerReport}s: the static metrics of every tensor and its dynamics
 * against the layer's earlier snapshots (agreement, subspace overlap, the update spectrum ΔW,
 * alignment of consecutive layers, tracked directions), with correlation traps every
 * {@code trapsEvery}-th snapshot. It owns the per-layer state the dynamics need.
 *
 * <p>Single-threaded and free of I/O of its own (a tensor handle may read its values when asked):
 * one analyzer per analysis thread, fed snapshots in step order. Only {@link #trackDirection} may
 * be called from another thread.
 */
public final class SnapshotAnalyzer {

    /**
     * How snapshots are analysed.
     *
     * @param model             model name label of the reports
     * @param options           how each tensor is analysed (layout, seed, phase thresholds)
     * @param vectors           singular triplets kept per layer for the dynamics (0: no dynamics)
     * @param trapsEvery        count correlation traps every this many snapshots (0: never)
     * @param topSingularValues how many top singular values each report carries for the exporters
     */
    public record Settings(String model, LayerAnalyzer.Options options, int vectors, int trapsEvery, int topSingularValues) {

        public Settings {
            Objects.requireNonNull(model, "model");
            Objects.requireNonNull(options, "options");
            if (vectors < 0 || trapsEvery < 0 || topSingularValues < 0) {
                throw new IllegalArgumentException("vectors, trapsEvery and topSingularValues must be >= 0");
            }
        }
    }

    /** Receives the failure of one layer; the layer is left out of that snapshot's reports. */
    public interface FailureHandler {
        void failed(String where, Exception e);
    }

    private record TrackedDirection(String name, Pattern layers, float[] direction) {
    }

    /** One layer's analysis of the current snapshot, before the cross-layer alignment is known. */
    private record Measured(String layer, MatrixReport report, double[] top, LayerState state, LayerDynamics.Comparison previous,
                            LayerDynamics.Comparison first, Dynamics.Update update, Map<String, Double> directions) {
    }

    private final Settings settings;
    private final SpectrumEngine engine;
    private final LayerAnalyzer analyzer;
    private final LayerAnalyzer analyzerWithTraps;
    private final List<TrackedDirection> directions = new CopyOnWriteArrayList<>();
    private final Map<String, LayerState> layers = new HashMap<>();
    private long analysed;

    public SnapshotAnalyzer(SpectrumEngine engine, Settings settings) {
        this.engine = Objects.requireNonNull(engine, "engine");
        this.settings = settings;
        this.analyzer = new LayerAnalyzer(engine, settings.options().withCorrelationTraps(false));
        this.analyzerWithTraps = new LayerAnalyzer(engine, settings.options().withCorrelationTraps(true));
    }

    public Settings settings() {
        return settings;
    }

    /**
     * Tracks the overlap of a direction β with the top right singular vector of every layer whose
     * name matches {@code layerPattern} (a regex, found anywhere in the name) and whose input
     * dimension is β's length. Thread-safe; applies from the next snapshot on.
     */
    public void trackDirection(String name, String layerPattern, float[] direction) {
        Objects.requireNonNull(name, "name");
        if (direction.length == 0) {
            throw new IllegalArgumentException("direction '" + name + "' is empty");
        }
        directions.add(new TrackedDirection(name, Pattern.compile(layerPattern), direction.clone()));
    }

    /**
     * Bytes the per-layer state holds between snapshots: the previous weights kept in memory for ΔW
     * (a handle that reads its values again holds none) and the kept singular vectors.
     */
    public long retainedBytes() {
        long bytes = 0;
        for (LayerState state : layers.values()) {
            bytes += state.retainedBytes();
        }
        return bytes;
    }

    /** Loads native libraries and classes now (see {@link LayerAnalyzer#warmUp}); keeps no state. */
    public void warmUp() {
        analyzer.warmUp();
    }

    /**
     * Analyses one snapshot. A layer that fails (its values cannot be read, or an engine fails) is
     * reported to {@code failures} and left out; the others are analysed.
     */
    public List<LayerReport> analyze(WeightSnapshot snapshot, FailureHandler failures) {
        boolean traps = settings.trapsEvery() > 0 && analysed % settings.trapsEvery() == 0;
        analysed++;
        LayerAnalyzer layerAnalyzer = traps ? analyzerWithTraps : analyzer;
        List<Measured> measured = new ArrayList<>();
        for (WeightTensor tensor : snapshot.matrices()) {
            String name = tensor.info().name();
            try {
                measured.add(measure(tensor, layerAnalyzer));
            } catch (Exception e) {
                failures.failed("analysing " + name, e);
            }
        }
        List<LayerReport> reports = new ArrayList<>(measured.size());
        for (int i = 0; i < measured.size(); i++) {
            Measured m = measured.get(i);
            double alignment = i + 1 < measured.size() ? alignment(m.report(), measured.get(i + 1).report()) : Double.NaN;
            LayerDynamics dynamics = new LayerDynamics(m.previous(), m.first(), m.update(), alignment,
                    m.state().baseline(), m.directions(), m.state().correlationTraps());
            reports.add(new LayerReport(snapshot.step(), snapshot.epochMillis(), settings.model(), m.layer(), m.report(),
                    dynamics, m.top()));
        }
        return reports;
    }

    private Measured measure(WeightTensor tensor, LayerAnalyzer layerAnalyzer) throws Exception {
        TensorInfo info = tensor.info();
        TensorValues read = tensor.read();
        float[] values = read.values();
        // analysed in the values' units, reported in the tensor's (σ computed before λ = σ² may leave float64)
        MatrixReport inValueUnits = layerAnalyzer.analyze(info.name(), info.shape(), values, settings.vectors());
        MatrixReport report = inValueUnits.timesPowerOfTwo(read.exponent());
        double[] top = inValueUnits.topSingularValues(settings.topSingularValues());
        for (int i = 0; i < top.length; i++) {
            top[i] = Math.scalb(top[i], read.exponent());
        }
        LayerState state = layers.computeIfAbsent(info.name(), k -> new LayerState());
        state.remember(report);
        SingularVectors now = report.vectors();
        if (now == null) {
            return new Measured(info.name(), report, top, state, LayerDynamics.Comparison.NONE, LayerDynamics.Comparison.NONE,
                    Dynamics.Update.NONE, Map.of());
        }
        LayerDynamics.Comparison previous = compare(now, state.previousVectors());
        LayerDynamics.Comparison first = compare(now, state.firstVectors());
        Dynamics.Update update = Dynamics.Update.NONE;
        float[] before = state.previousValues(values.length, read.exponent());
        if (before != null) {
            update = UpdateSpectrum.of(new DenseMatrix(report.rows(), report.cols(), values), before, now, engine);
        }
        state.advance(now, tensor);
        return new Measured(info.name(), report, top, state, previous, first, update, directionOverlaps(info.name(), now));
    }

    private static LayerDynamics.Comparison compare(SingularVectors now, SingularVectors reference) {
        if (reference == null) {
            return LayerDynamics.Comparison.NONE;
        }
        return new LayerDynamics.Comparison(Dynamics.singularVectorAgreement(now, reference, Dynamics.DEFAULT_TOP),
                Dynamics.subspaceOverlap(now, reference, Dynamics.DEFAULT_TOP));
    }

    private Map<String, Double> directionOverlaps(String layer, SingularVectors vectors) {
        if (directions.isEmpty() || vectors.count() == 0) {
            return Map.of();
        }
        Map<String, Double> overlaps = new LinkedHashMap<>();
        for (TrackedDirection d : directions) {
            if (d.layers().matcher(layer).find() && vectors.right()[0].length == d.direction().length) {
                overlaps.put(d.name(), Dynamics.directionOverlap(vectors, d.direction()));
            }
        }
        return overlaps;
    }

    /** Consecutive layers whose shapes chain (rows of one = columns of the next) get their alignment. */
    private static double alignment(MatrixReport layer, MatrixReport next) {
        SingularVectors a = layer.vectors();
        SingularVectors b = next.vectors();
        if (a == null || b == null || a.count() == 0 || b.count() == 0) {
            return Double.NaN;
        }
        return Dynamics.layerAlignment(a, b, Dynamics.DEFAULT_TOP);
    }
}
