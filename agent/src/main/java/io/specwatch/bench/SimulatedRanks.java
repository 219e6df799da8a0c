package io.specwatch.bench;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import io.specwatch.analysis.LayerReport;
import io.specwatch.analysis.TensorInfo;
import io.specwatch.export.SpecwatchServer;
import io.specwatch.monitor.Shard;
import io.specwatch.monitor.SpectralMonitor;

/**
 * The ranks of one job in one process: a real monitor and HTTP server per rank, whose latest-report
 * store holds synthetic reports of that rank's share of a model (the analysis is skipped, the
 * exporter is the real one).
 */
final class SimulatedRanks implements AutoCloseable {

    /** What one GET of /metrics returned. */
    record Scrape(int series, long bytes, long gzipBytes) {
    }

    private final List<SpectralMonitor> monitors = new ArrayList<>();
    private final List<SpecwatchServer> servers = new ArrayList<>();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    /**
     * @param shares   the tensors of each rank (its index is the rank)
     * @param noEsdFor layers without the ESD series (null: none)
     */
    SimulatedRanks(String model, List<List<TensorInfo>> shares, List<LayerReport> templates, String noEsdFor) throws IOException {
        for (int r = 0; r < shares.size(); r++) {
            SpectralMonitor monitor = SpectralMonitor.builder().model(model).rank(r).worldSize(shares.size()).noEsdFor(noEsdFor).build();
            monitors.add(monitor);
            monitor.latest().accept(SyntheticJob.reports(model, shares.get(r), templates));
            servers.add(SpecwatchServer.start(monitor, "127.0.0.1", 0));
        }
    }

    /** The shares of {@code tensors} among {@code ranks} ranks, as the monitor splits them. */
    static List<List<TensorInfo>> split(List<TensorInfo> tensors, int ranks) {
        List<List<TensorInfo>> shares = new ArrayList<>();
        for (int r = 0; r < ranks; r++) {
            shares.add(new Shard(r, ranks).select(tensors));
        }
        return shares;
    }

    List<Integer> ports() {
        return servers.stream().map(SpecwatchServer::port).toList();
    }

    /** One scrape of rank {@code r}, plain and gzip-compressed. */
    Scrape scrape(int r) throws IOException, InterruptedException {
        URI uri = URI.create("http://127.0.0.1:" + servers.get(r).port() + "/metrics");
        String body = http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(60)).build(), HttpResponse.BodyHandlers.ofString()).body();
        byte[] gzip = http.send(HttpRequest.newBuilder(uri).header("Accept-Encoding", "gzip").timeout(Duration.ofSeconds(60)).build(),
                HttpResponse.BodyHandlers.ofByteArray()).body();
        int series = (int) body.lines().filter(l -> !l.isBlank() && !l.startsWith("#")).count();
        return new Scrape(series, body.getBytes(java.nio.charset.StandardCharsets.UTF_8).length, gzip.length);
    }

    @Override
    public void close() {
        servers.forEach(SpecwatchServer::close);
        monitors.forEach(SpectralMonitor::close);
    }
}
