package io.specwatch.export;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.specwatch.analysis.LayerReport;
import io.specwatch.catalogue.Field;
import io.specwatch.catalogue.MetricCatalogue;
import io.specwatch.monitor.ReportSink;
import io.specwatch.monitor.TrainingPoint;

/**
 * Writes what the monitor reports as TensorBoard event files, so {@code tensorboard --logdir DIR}
 * shows specwatch next to the job's own curves: per layer a scalar {@code spectral/<metric>/<layer>}
 * for every exported number of the metric catalogue ({@code <metric>} is its JSON key, as in the
 * history), the ESD as the histograms {@code spectral/esd/<layer>} (eigenvalues λ) and
 * {@code spectral/esd_log10/<layer>} (log₁₀ λ of the positive ones), and the training values of
 * {@link io.specwatch.monitor.SpectralMonitor#recordTraining} as {@code training/<metric>/<series>}.
 * The x axis is the training step.
 *
 * <p>One file per sink ({@code events.out.tfevents.<seconds>.<host>.<pid>.specwatch}), flushed
 * after every snapshot. A write that fails is counted ({@link #failures()}) and logged once per
 * cause in one line; training goes on.
 */
public final class TensorBoardSink implements ReportSink {

    /** Buckets of each ESD histogram. */
    public static final int BUCKETS = 60;
    private static final Logger LOG = LoggerFactory.getLogger(TensorBoardSink.class);
    private static final List<Field> SCALARS = MetricCatalogue.exported().stream()
            .filter(f -> f.type() == Field.Type.REAL || f.type() == Field.Type.COUNT).toList();

    private final Path file;
    private final OutputStream out;
    private final Set<String> loggedCauses = new HashSet<>();
    private long failures;

    /**
     * Creates the directory if needed and a new event file in it.
     *
     * @throws IOException with one line naming the directory and the reason, when it cannot be written
     */
    public TensorBoardSink(Path directory) throws IOException {
        try {
            Files.createDirectories(directory);
            long now = System.currentTimeMillis();
            String host;
            try {
                host = InetAddress.getLocalHost().getHostName();
            } catch (IOException e) {
                host = "localhost";
            }
            this.file = directory.resolve(String.format(Locale.ROOT, "events.out.tfevents.%d.%s.%d.specwatch",
                    now / 1000, host.replaceAll("[^A-Za-z0-9.-]", "_"), ProcessHandle.current().pid()));
            this.out = Files.newOutputStream(file, StandardOpenOption.CREATE, StandardOpenOption.APPEND, StandardOpenOption.WRITE);
            out.write(TensorBoardEvents.record(TensorBoardEvents.fileVersion(now / 1000.0)));
            out.flush();
        } catch (IOException e) {
            throw new IOException("cannot write TensorBoard events to " + directory + ": " + e.getMessage(), e);
        }
    }

    /** The event file this sink writes. */
    public Path file() {
        return file;
    }

    /** How many writes failed. */
    public synchronized long failures() {
        return failures;
    }

    @Override
    public synchronized void accept(List<LayerReport> snapshot) {
        ByteArrayOutputStream events = new ByteArrayOutputStream();
        for (LayerReport r : snapshot) {
            List<byte[]> values = new ArrayList<>();
            for (Field f : SCALARS) {
                if (f.value(r) instanceof Number n && Double.isFinite(n.doubleValue())) {
                    values.add(TensorBoardEvents.scalar("spectral/" + f.key() + "/" + r.layer(), n.floatValue()));
                }
            }
            double[] ev = r.report().eigenvalues();
            if (ev != null && ev.length > 0) {
                values.add(TensorBoardEvents.histogram("spectral/esd/" + r.layer(), ev, BUCKETS));
                double[] logs = java.util.Arrays.stream(ev).filter(v -> v > 0).map(Math::log10).toArray();
                if (logs.length > 0) {
                    values.add(TensorBoardEvents.histogram("spectral/esd_log10/" + r.layer(), logs, BUCKETS));
                }
            }
            byte[] event = TensorBoardEvents.event(r.epochMillis() / 1000.0, r.step(), values.toArray(byte[][]::new));
            events.writeBytes(TensorBoardEvents.record(event));
        }
        write(events.toByteArray());
    }

    @Override
    public synchronized void acceptTraining(TrainingPoint p) {
        List<byte[]> values = new ArrayList<>();
        p.values().forEach((name, v) -> {
            if (v != null && Double.isFinite(v)) {
                values.add(TensorBoardEvents.scalar("training/" + p.metric() + "/" + name, v.floatValue()));
            }
        });
        if (!values.isEmpty()) {
            write(TensorBoardEvents.record(TensorBoardEvents.event(p.epochMillis() / 1000.0, p.step(), values.toArray(byte[][]::new))));
        }
    }

    private void write(byte[] bytes) {
        try {
            out.write(bytes);
            out.flush();
        } catch (IOException e) {
            failures++;
            String cause = String.valueOf(e.getMessage());
            if (loggedCauses.size() < 100 && loggedCauses.add(cause)) {
                LOG.warn("specwatch: cannot write TensorBoard events to {} (training goes on, further failures are counted): {}", file, cause);
            }
        }
    }

    @Override
    public synchronized void close() {
        try {
            out.close();
        } catch (IOException e) {
            LOG.warn("specwatch: closing {}: {}", file, e.getMessage());
        }
    }
}
