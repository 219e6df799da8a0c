package io.specwatch.export;

import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.prometheus.metrics.exporter.pushgateway.Format;
import io.prometheus.metrics.exporter.pushgateway.PushGateway;
import io.prometheus.metrics.exporter.pushgateway.Scheme;
import io.specwatch.analysis.LayerReport;
import io.specwatch.catalogue.MetricCatalogue;
import io.specwatch.monitor.ReportSink;
import io.specwatch.monitor.SpectralMonitor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Pushes everything a monitor exports ({@link MonitorMeterBinder}) to a Prometheus Pushgateway,
 * for jobs Prometheus cannot scrape (batch jobs behind NAT, short runs), through the Prometheus
 * client's own Pushgateway exporter. The grouping key is the job and the rank
 * ({@code /metrics/job/JOB/rank/R}), so the ranks of one job never replace each other's metrics.
 *
 * <p>It pushes from its own thread every {@code interval} while something changed (a snapshot
 * was analysed), and once more when the monitor closes: that final push comes after the last
 * snapshot is analysed, so the Pushgateway keeps the job's final state after it exits. A push
 * that fails (the gateway is down) is logged once per cause and counted; training never waits for
 * one (only the final push runs on the thread that closes the monitor, bounded by the timeouts).
 */
public final class PushgatewaySink implements ReportSink {

    /** Default time between pushes. */
    public static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(15);
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);
    private static final Duration READ_TIMEOUT = Duration.ofSeconds(10);
    private static final Logger LOG = LoggerFactory.getLogger(PushgatewaySink.class);

    private final PrometheusMeterRegistry registry;
    private final PushGateway gateway;
    private final ScheduledExecutorService timer;
    private final AtomicBoolean changed = new AtomicBoolean(true);
    private final AtomicLong pushes = new AtomicLong();
    private final AtomicLong failures = new AtomicLong();
    private final Set<String> loggedCauses = ConcurrentHashMap.newKeySet();
    private final String where;

    private PushgatewaySink(PrometheusMeterRegistry registry, PushGateway gateway, String where, Duration interval) {
        this.registry = registry;
        this.gateway = gateway;
        this.where = where;
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "specwatch-push");
            t.setDaemon(true);
            return t;
        });
        long millis = interval.toMillis();
        timer.scheduleWithFixedDelay(this::pushIfChanged, millis, millis, TimeUnit.MILLISECONDS);
    }

    /**
     * Starts pushing {@code monitor}'s metrics and registers the sink on it (its final push happens
     * when the monitor closes).
     *
     * @param monitor  the monitor to export
     * @param address  the Pushgateway: {@code host:port}, or a URL {@code http(s)://host:port[/prefix]}
     * @param job      the {@code job} of the grouping key (e.g. the training job's name)
     * @param interval time between pushes (at least 1 s)
     * @throws IllegalArgumentException when the address, job or interval is unusable
     */
    public static PushgatewaySink start(SpectralMonitor monitor, String address, String job, Duration interval) {
        if (job == null || job.isBlank()) {
            throw new IllegalArgumentException("the Pushgateway job name must not be blank");
        }
        if (interval == null || interval.compareTo(Duration.ofSeconds(1)) < 0) {
            throw new IllegalArgumentException("the push interval must be at least 1 s, got " + interval);
        }
        Target target = Target.parse(address);
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        new MonitorMeterBinder(monitor).bindTo(registry);
        String rank = Integer.toString(monitor.settings().rank().rank());
        PushGateway gateway = PushGateway.builder()
                .address(target.address())
                .scheme(target.scheme())
                .job(job)
                .groupingKey(MetricCatalogue.RANK_LABEL, rank)
                .registry(registry.getPrometheusRegistry())
                // the text format: the Pushgateway reads it whatever the client's protobuf version
                .format(Format.PROMETHEUS_TEXT)
                .connectionTimeout(CONNECT_TIMEOUT)
                .readTimeout(READ_TIMEOUT)
                .build();
        String where = target.scheme().toString().toLowerCase(Locale.ROOT) + "://" + target.address() + "/metrics/job/" + job + "/rank/" + rank;
        PushgatewaySink sink = new PushgatewaySink(registry, gateway, where, interval);
        monitor.addSink(sink);
        return sink;
    }

    /** Where the metrics go, e.g. {@code http://gateway:9091/metrics/job/train/rank/0}. */
    public String destination() {
        return where;
    }

    /** Pushes that reached the gateway. */
    public long pushes() {
        return pushes.get();
    }

    /** Pushes that failed (each cause logged once). */
    public long failures() {
        return failures.get();
    }

    @Override
    public void accept(List<LayerReport> snapshot) {
        changed.set(true);
    }

    /** Pushes now, on the caller's thread. */
    public void push() throws IOException {
        gateway.push();
        pushes.incrementAndGet();
    }

    private void pushIfChanged() {
        if (!changed.getAndSet(false)) {
            return;
        }
        try {
            push();
        } catch (IOException | RuntimeException e) {
            changed.set(true); // try again at the next tick
            failures.incrementAndGet();
            String cause = e.getClass().getSimpleName() + ": " + e.getMessage();
            if (loggedCauses.size() < 100 && loggedCauses.add(cause)) {
                LOG.warn("specwatch: pushing to {} failed: {} (training goes on; further failures with this cause are counted, not logged)",
                        where, cause);
            }
        }
    }

    /** Stops the timer and makes the final push (the monitor calls this after its last snapshot). */
    @Override
    public void close() throws IOException {
        timer.shutdownNow();
        try {
            timer.awaitTermination(READ_TIMEOUT.toMillis() + CONNECT_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try {
            push();
        } catch (IOException | RuntimeException e) {
            failures.incrementAndGet();
            throw new IOException("the final push to " + where + " failed: " + e.getMessage(), e);
        } finally {
            registry.close();
        }
    }

    /** A Pushgateway address split into what the client's builder takes. */
    record Target(Scheme scheme, String address) {
        static Target parse(String text) {
            if (text == null || text.isBlank()) {
                throw new IllegalArgumentException("no Pushgateway address: give host:port or http://host:port");
            }
            String s = text.strip();
            Scheme scheme = Scheme.HTTP;
            if (s.regionMatches(true, 0, "https://", 0, 8)) {
                scheme = Scheme.HTTPS;
                s = s.substring(8);
            } else if (s.regionMatches(true, 0, "http://", 0, 7)) {
                s = s.substring(7);
            } else if (s.contains("://")) {
                throw new IllegalArgumentException("a Pushgateway is reached over http or https, not " + text);
            }
            while (s.endsWith("/")) {
                s = s.substring(0, s.length() - 1);
            }
            URI uri;
            try {
                uri = URI.create("http://" + s);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("not a Pushgateway address: " + text + " (expected host:port or http://host:port)");
            }
            if (uri.getHost() == null || uri.getQuery() != null || uri.getFragment() != null || uri.getUserInfo() != null) {
                throw new IllegalArgumentException("not a Pushgateway address: " + text + " (expected host:port or http://host:port)");
            }
            if (uri.getPort() == -1 && (uri.getPath() == null || uri.getPath().isEmpty())) {
                s = s + (scheme == Scheme.HTTPS ? ":443" : ":9091");
            }
            return new Target(scheme, s);
        }
    }
}
