package io.specwatch.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.specwatch.analysis.LayerReport;
import io.specwatch.analysis.TensorInfo;

/**
 * The exporter under a real Prometheus: one process serves the /metrics of {@code ranks}
 * simulated ranks with {@code matrices} matrices each (synthetic reports through the real
 * monitors, binders and HTTP servers), and a real Prometheus, started here on loopback, scrapes
 * all of them every {@code interval} seconds for {@code seconds}. Prints the scrape durations
 * Prometheus measured, the samples it ingested per second, and the CPU this process spent
 * serving ({@code bench/prometheus-load.sh}).
 *
 * <p>Usage: {@code ScrapeLoad RANKS MATRICES SECONDS INTERVAL WORKDIR}
 */
public final class ScrapeLoad {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private ScrapeLoad() {
    }

    public static void main(String[] args) throws Exception {
        int ranks = Integer.parseInt(args[0]);
        int matrices = Integer.parseInt(args[1]);
        int seconds = Integer.parseInt(args[2]);
        int interval = Integer.parseInt(args[3]);
        Path work = Path.of(args[4]);
        Files.createDirectories(work);
        List<LayerReport> templates = SyntheticJob.templates();
        List<List<TensorInfo>> shares = new ArrayList<>();
        for (int r = 0; r < ranks; r++) {
            shares.add(SyntheticJob.named(r * matrices, matrices));
        }
        long built = System.nanoTime();
        try (SimulatedRanks job = new SimulatedRanks("load", shares, templates, null)) {
            System.out.printf(Locale.ROOT, "%d ranks x %d matrices served in %.1f s%n", ranks, matrices, (System.nanoTime() - built) / 1e9);
            SimulatedRanks.Scrape one = job.scrape(0);
            System.out.printf(Locale.ROOT, "one rank's scrape: %d series, %d bytes (%d gzip)%n", one.series(), one.bytes(), one.gzipBytes());
            int port;
            try (ServerSocket s = new ServerSocket(0)) {
                port = s.getLocalPort();
            }
            StringBuilder config = new StringBuilder("""
                    global:
                      scrape_interval: %ds
                      scrape_timeout: %ds
                    scrape_configs:
                      - job_name: prometheus
                        scrape_interval: 5s
                        static_configs: [{targets: ["127.0.0.1:%d"]}]
                      - job_name: specwatch-load
                        static_configs:
                          - targets:
                    """.formatted(interval, Math.max(1, interval * 2 / 3), port));
            for (int p : job.ports()) {
                config.append("              - 127.0.0.1:").append(p).append('\n');
            }
            Files.writeString(work.resolve("prometheus.yml"), config);
            Process prometheus = new ProcessBuilder("prometheus", "--config.file=" + work.resolve("prometheus.yml"),
                    "--storage.tsdb.path=" + work.resolve("data"), "--web.listen-address=127.0.0.1:" + port, "--log.level=warn")
                    .redirectErrorStream(true).redirectOutput(work.resolve("prometheus.log").toFile()).start();
            try {
                awaitReady(port);
                var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
                long cpu0 = os.getProcessCpuTime();
                long wall0 = System.nanoTime();
                long start = System.currentTimeMillis() / 1000;
                Thread.sleep(seconds * 1000L);
                long cpu = os.getProcessCpuTime() - cpu0;
                double wall = (System.nanoTime() - wall0) / 1e9;
                long end = System.currentTimeMillis() / 1000;
                String window = (end - start) + "s";
                String sel = "{job=\"specwatch-load\"}";
                double scrapes = value(port, "sum(count_over_time(up" + sel + "[" + window + "]))");
                double failed = scrapes - value(port, "sum(sum_over_time(up" + sel + "[" + window + "]))");
                double samples = value(port, "sum(scrape_samples_scraped" + sel + ")");
                System.out.printf(Locale.ROOT, "%.0f s of scraping: %.0f scrapes (%.0f failed), %.0f samples a round%n", wall, scrapes, failed, samples);
                System.out.printf(Locale.ROOT, "scrape duration (Prometheus's scrape_duration_seconds over all scrapes): median %.3f s, "
                                + "p90 %.3f s, max %.3f s%n",
                        value(port, "quantile(0.5, quantile_over_time(0.5, scrape_duration_seconds" + sel + "[" + window + "]))"),
                        value(port, "quantile(0.5, quantile_over_time(0.9, scrape_duration_seconds" + sel + "[" + window + "]))"),
                        value(port, "max(max_over_time(scrape_duration_seconds" + sel + "[" + window + "]))"));
                System.out.printf(Locale.ROOT, "samples ingested per second (rate of prometheus_tsdb_head_samples_appended_total): %.0f "
                                + "(a round of %.0f samples every %d s is %.0f)%n",
                        value(port, "rate(prometheus_tsdb_head_samples_appended_total[" + Math.max(20, seconds - 10) + "s])"), samples, interval,
                        samples / interval);
                System.out.printf(Locale.ROOT, "CPU of this process while serving: %.1f s in %.0f s (%.1f %% of one core), %.1f ms per scrape "
                                + "(%.2f ms per 1000 series)%n",
                        cpu / 1e9, wall, 100 * cpu / 1e9 / wall, cpu / 1e6 / scrapes, cpu / 1e6 / scrapes / (samples / ranks / 1000));
                System.out.printf(Locale.ROOT, "Prometheus: %.0f series in its head, resident memory %.0f MiB, CPU %.1f %% of one core%n",
                        value(port, "prometheus_tsdb_head_series"), value(port, "process_resident_memory_bytes{job=\"prometheus\"}") / 1048576,
                        100 * value(port, "rate(process_cpu_seconds_total{job=\"prometheus\"}[" + Math.max(20, seconds - 10) + "s])"));
            } finally {
                prometheus.destroy();
                if (!prometheus.waitFor(30, TimeUnit.SECONDS)) {
                    prometheus.destroyForcibly();
                }
            }
        }
    }

    private static void awaitReady(int port) throws InterruptedException {
        for (int i = 0; i < 120; i++) {
            try {
                if (HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/-/ready")).build(),
                        HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return;
                }
            } catch (IOException notYet) {
                // starting
            }
            Thread.sleep(500);
        }
        throw new IllegalStateException("Prometheus did not start");
    }

    private static double value(int port, String expr) throws IOException, InterruptedException {
        URI uri = URI.create("http://127.0.0.1:" + port + "/api/v1/query?query=" + URLEncoder.encode(expr, StandardCharsets.UTF_8));
        JsonNode body = JSON.readTree(HTTP.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(60)).build(),
                HttpResponse.BodyHandlers.ofString()).body());
        JsonNode result = body.path("data").path("result");
        if (result.size() == 0) {
            return Double.NaN;
        }
        return result.get(0).path("value").get(1).asDouble();
    }
}
