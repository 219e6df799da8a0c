package io.specwatch.monitor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.specwatch.analysis.TensorInfo;
import io.specwatch.analysis.WeightSnapshot;
import io.specwatch.analysis.WeightTensor;
import io.specwatch.engine.AutomaticEngine;
import io.specwatch.engine.CountingEngine;
import io.specwatch.engine.SyntheticMatrices;
import io.specwatch.engine.cuda.CudaLibraries;
import io.specwatch.engine.cuda.CudaSettings;
import io.specwatch.engine.cuda.CudaSpectrumEngine;
import io.specwatch.engine.cuda.LibrarySearch;
import io.specwatch.export.SpecwatchServer;
import io.specwatch.history.HistoryWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Monitors of one job's ranks (the launcher's environment given to each builder) split the
 * layers between them; every series they serve says which rank it comes from.
 */
class ShardedMonitorTest {

    private static final Pattern LAYER = Pattern.compile("layer=\"([^\"]+)\"");

    @TempDir
    Path dir;

    /** Eight matrices of three shapes and a bias. */
    static final class EightMatrices implements WeightSource {
        final List<String> copied = Collections.synchronizedList(new ArrayList<>());

        @Override
        public List<TensorInfo> tensors() {
            List<TensorInfo> t = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                t.add(new TensorInfo("m" + i, new long[] {24 + 8 * (i % 3), 16}));
            }
            t.add(new TensorInfo("bias", new long[] {16}));
            return t;
        }

        @Override
        public WeightTensor copy(TensorInfo tensor) {
            copied.add(tensor.name());
            long[] s = tensor.shape();
            return new WeightSnapshot.Weight(tensor.name(), s, SyntheticMatrices.gaussian((int) s[0], (int) s[1], tensor.name().hashCode()).values());
        }
    }

    private static MonitorSettings.Builder rank(int rank, int worldSize) {
        return SpectralMonitor.builder().model("job").every(1).denseEarly(false).engine(AutomaticEngine.withDefaults(0))
                .environment(Map.of("RANK", Integer.toString(rank), "WORLD_SIZE", Integer.toString(worldSize),
                        "LOCAL_RANK", Integer.toString(rank)));
    }

    private static Set<String> layersOf(String metrics) {
        Set<String> layers = new TreeSet<>();
        for (String line : metrics.split("\n")) {
            Matcher m = LAYER.matcher(line);
            if (!line.startsWith("#") && m.find()) {
                layers.add(m.group(1));
            }
        }
        return layers;
    }

    @Test
    void fourRanksAnalyseEachMatrixOnceAndLabelEverySeriesWithTheirRank() throws Exception {
        List<String> union = new ArrayList<>();
        Set<String> expected = new TreeSet<>(List.of("m0", "m1", "m2", "m3", "m4", "m5", "m6", "m7"));
        for (int r = 0; r < 4; r++) {
            EightMatrices source = new EightMatrices();
            SpectralMonitor monitor = rank(r, 4).build();
            Path history = dir.resolve("h" + r + ".jsonl");
            monitor.addSink(new HistoryWriter(history, 0, monitor.settings()));
            try (SpecwatchServer server = SpecwatchServer.start(monitor, "127.0.0.1", 0)) {
                monitor.offer(0, source);
                monitor.offer(1, source);
                assertTrue(monitor.awaitIdle(Duration.ofSeconds(60)));
                String body = MonitorEndToEndTest.get(server.port(), "/metrics", null).body();
                Set<String> layers = layersOf(body);
                assertEquals(new TreeSet<>(source.copied), layers, "rank " + r + " serves what it copied, nothing else");
                assertEquals(2 * layers.size(), source.copied.size(), "two snapshots of its share");
                union.addAll(layers);
                for (String line : body.split("\n")) {
                    if (!line.startsWith("#") && !line.isBlank()) {
                        assertTrue(line.contains("rank=\"" + r + "\""), "no rank label: " + line);
                    }
                }
                assertEquals(4, MonitorEndToEndTest.sample(body, "specwatch_world_size", "rank=\"" + r + "\""));
                assertEquals(1, MonitorEndToEndTest.sample(body, "specwatch_last_snapshot_step"));
            } finally {
                monitor.close();
            }
            JsonNode header = new ObjectMapper().readTree(java.nio.file.Files.readAllLines(history).get(0));
            assertEquals(r, header.get("rank").asInt());
            assertEquals(4, header.get("world_size").asInt());
            assertEquals("split", header.path("settings").get("work_sharing").asText());
            assertEquals(r + "/4", header.path("settings").get("shard").asText());
        }
        Collections.sort(union);
        assertEquals(new ArrayList<>(expected), union, "every matrix once, the bias never");
    }

    @Test
    void rank0OnlyAndAllModes() throws Exception {
        EightMatrices onRank1 = new EightMatrices();
        SpectralMonitor rank1 = rank(1, 2).workSharing(WorkSharing.RANK0_ONLY).build();
        EightMatrices onRank0 = new EightMatrices();
        SpectralMonitor rank0 = rank(0, 2).workSharing(WorkSharing.RANK0_ONLY).build();
        EightMatrices everything = new EightMatrices();
        SpectralMonitor all = rank(1, 2).workSharing(WorkSharing.ALL).build();
        try (SpecwatchServer server = SpecwatchServer.start(rank1, "127.0.0.1", 0)) {
            rank1.offer(0, onRank1);
            rank0.offer(0, onRank0);
            all.offer(0, everything);
            assertTrue(rank1.awaitIdle(Duration.ofSeconds(60)) && rank0.awaitIdle(Duration.ofSeconds(60)) && all.awaitIdle(Duration.ofSeconds(60)));
            assertEquals(List.of(), onRank1.copied, "rank0-only: rank 1 copies nothing");
            assertEquals(8, onRank0.copied.size());
            assertEquals(8, everything.copied.size());
            String body = MonitorEndToEndTest.get(server.port(), "/metrics", null).body();
            assertEquals(Set.of(), layersOf(body));
            // it still reports: its health, with its rank, and the step it has seen
            assertEquals(2, MonitorEndToEndTest.sample(body, "specwatch_world_size", "rank=\"1\""));
            assertEquals(0, MonitorEndToEndTest.sample(body, "specwatch_last_snapshot_step", "rank=\"1\""));
        } finally {
            rank1.close();
            rank0.close();
            all.close();
        }
    }

    @Test
    void theEsdAndTopSingularValuesOfChosenLayersCanBeLeftOut() throws Exception {
        SpectralMonitor monitor = rank(0, 1).noEsdFor("^m[0-3]$").noTopSingularValuesFor("m7").build();
        try (SpecwatchServer server = SpecwatchServer.start(monitor, "127.0.0.1", 0)) {
            monitor.offer(0, new EightMatrices());
            assertTrue(monitor.awaitIdle(Duration.ofSeconds(60)));
            String body = MonitorEndToEndTest.get(server.port(), "/metrics", null).body();
            Set<String> withEsd = new TreeSet<>();
            Set<String> withTop = new TreeSet<>();
            for (String line : body.split("\n")) {
                Matcher m = LAYER.matcher(line);
                if (line.startsWith("spectral_esd_bucket{") && m.find()) {
                    withEsd.add(m.group(1));
                } else if (line.startsWith("spectral_top_singular_value{") && m.find()) {
                    withTop.add(m.group(1));
                }
            }
            assertEquals(Set.of("m4", "m5", "m6", "m7"), withEsd);
            assertEquals(Set.of("m0", "m1", "m2", "m3", "m4", "m5", "m6"), withTop);
            assertTrue(body.contains("spectral_powerlaw_alpha_hill{layer=\"m0\""), "the other series stay");
        } finally {
            monitor.close();
        }
    }

    @Test
    void theGpuEnginesFallbacksAreCounted() throws Exception {
        // no CUDA library can be found in an empty environment: every matrix goes to the CPU engine
        CudaLibraries none = CudaLibraries.inspect(new LibrarySearch.Environment(Map.of(), dir, "x86_64", false), false);
        assertTrue(!none.usable());
        CountingEngine cpu = new CountingEngine(AutomaticEngine.withDefaults(0));
        CudaSpectrumEngine gpu = new CudaSpectrumEngine(none, CudaSettings.defaults(0), cpu, message -> { });
        SpectralMonitor monitor = rank(0, 1).engine(gpu).build();
        try (SpecwatchServer server = SpecwatchServer.start(monitor, "127.0.0.1", 0)) {
            monitor.offer(0, new EightMatrices());
            monitor.offer(1, new EightMatrices());
            assertTrue(monitor.awaitIdle(Duration.ofSeconds(60)));
            String body = MonitorEndToEndTest.get(server.port(), "/metrics", null).body();
            int decompositions = cpu.spectra.get() + cpu.topTriplets.get();
            assertTrue(decompositions >= 16, "the warm-up and two snapshots of eight matrices: " + decompositions);
            assertEquals(decompositions, MonitorEndToEndTest.sample(body, "specwatch_engine_fallbacks_total"));
            assertEquals(0, MonitorEndToEndTest.sample(body, "specwatch_engine_gpu_decompositions_total"));
        } finally {
            monitor.close();
        }
    }
}
