package io.specwatch.collector;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

import io.specwatch.analysis.LayerReport;

/**
 * The latest report of every layer: the one store the exporters read (the Micrometer binder, the
 * ESD collector, the live page). A layer keeps its last report when a later snapshot does not
 * include it. Readers get immutable views; writers (the analysis thread) replace the whole map,
 * so a scrape never sees half a snapshot.
 */
public final class LatestReports implements Consumer<List<LayerReport>> {

    private record Key(String model, String layer) {
    }

    private volatile Map<Key, LayerReport> latest = Map.of();
    private final List<Consumer<List<LayerReport>>> listeners = new CopyOnWriteArrayList<>();

    /** Takes the reports of one snapshot, then tells the listeners. */
    @Override
    public void accept(List<LayerReport> snapshot) {
        synchronized (this) {
            Map<Key, LayerReport> next = new LinkedHashMap<>(latest);
            for (LayerReport r : snapshot) {
                next.put(new Key(r.model(), r.layer()), r);
            }
            latest = java.util.Collections.unmodifiableMap(next);
        }
        List<LayerReport> all = all();
        for (Consumer<List<LayerReport>> l : listeners) {
            l.accept(all);
        }
    }

    /** Every layer's latest report, in the order layers first appeared. */
    public List<LayerReport> all() {
        return new ArrayList<>(latest.values());
    }

    /** The latest report of one layer. */
    public Optional<LayerReport> get(String model, String layer) {
        return Optional.ofNullable(latest.get(new Key(model, layer)));
    }

    /** Number of layers held. */
    public int size() {
        return latest.size();
    }

    /**
     * Calls {@code listener} with every layer's latest report after each change (on the writer's
     * thread: keep it short), and once now.
     */
    public void onChange(Consumer<List<LayerReport>> listener) {
        listeners.add(Objects.requireNonNull(listener));
        listener.accept(all());
    }
}
