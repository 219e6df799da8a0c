package io.specwatch.bench;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import io.specwatch.analysis.LayerReport;
import io.specwatch.analysis.TensorInfo;

/**
 * Series and bytes per scrape of the monitor's real /metrics for models of known shapes, on 1 and
 * 64 ranks (the layers split as the monitor splits them), from synthetic reports with every
 * series present. Prints a Markdown table ({@code bench/scrape-sizing.sh}).
 */
public final class ScrapeSizing {

    private ScrapeSizing() {
    }

    public static void main(String[] args) throws Exception {
        List<LayerReport> templates = SyntheticJob.templates();
        Map<String, List<TensorInfo>> models = new LinkedHashMap<>();
        models.put("GPT-2 small", SyntheticJob.gpt2Small());
        models.put("Llama 2 7B", SyntheticJob.llama7b());
        models.put("Llama 2 70B", SyntheticJob.llama70b());

        // the per-matrix and per-process numbers, from one rank with one and with two matrices
        SimulatedRanks.Scrape one;
        SimulatedRanks.Scrape two;
        SimulatedRanks.Scrape none;
        try (SimulatedRanks r = new SimulatedRanks("m", List.of(SyntheticJob.named(0, 1)), templates, null)) {
            one = r.scrape(0);
        }
        try (SimulatedRanks r = new SimulatedRanks("m", List.of(SyntheticJob.named(0, 2)), templates, null)) {
            two = r.scrape(0);
        }
        try (SimulatedRanks r = new SimulatedRanks("m", List.of(List.of()), templates, null)) {
            none = r.scrape(0);
        }
        System.out.printf(Locale.ROOT, "per matrix: %d series; per process without matrices: %d series, %d bytes%n",
                two.series() - one.series(), none.series(), none.bytes());

        System.out.println("| model | matrices | ranks | series, whole job | bytes per scrape, whole job (gzip) | largest rank: series, bytes (gzip) |");
        System.out.println("|---|---:|---:|---:|---:|---:|");
        for (String noEsd : new String[] {null, ".*"}) {
          for (Map.Entry<String, List<TensorInfo>> m : models.entrySet()) {
            if (noEsd != null && !m.getKey().equals("Llama 2 70B")) {
                continue;
            }
            for (int ranks : new int[] {1, 64}) {
                long series = 0;
                long bytes = 0;
                long gzip = 0;
                SimulatedRanks.Scrape largest = null;
                try (SimulatedRanks job = new SimulatedRanks("m", SimulatedRanks.split(m.getValue(), ranks), templates, noEsd)) {
                    for (int r = 0; r < ranks; r++) {
                        SimulatedRanks.Scrape s = job.scrape(r);
                        series += s.series();
                        bytes += s.bytes();
                        gzip += s.gzipBytes();
                        if (largest == null || s.bytes() > largest.bytes()) {
                            largest = s;
                        }
                    }
                }
                System.out.printf(Locale.ROOT, "| %s | %d | %d | %,d | %s (%s) | %,d, %s (%s) |%n", m.getKey() + (noEsd != null ? ", no ESD" : ""),
                        m.getValue().size(), ranks, series, size(bytes), size(gzip), largest.series(), size(largest.bytes()), size(largest.gzipBytes()));
            }
          }
        }
    }

    private static String size(long bytes) {
        if (bytes >= 10L << 20) {
            return String.format(Locale.ROOT, "%.1f MiB", bytes / 1048576.0);
        }
        return String.format(Locale.ROOT, "%.0f KiB", bytes / 1024.0);
    }
}
