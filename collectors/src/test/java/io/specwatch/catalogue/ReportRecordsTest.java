package io.specwatch.catalogue;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import io.specwatch.analysis.LayerReport;
import io.specwatch.analysis.TestReports;
import org.junit.jupiter.api.Test;

/** The JSON records keep the format users and the history depend on. */
class ReportRecordsTest {

    /** The history record's keys in order, as documented in the README (written out here, not taken from the catalogue). */
    static final List<String> HISTORY_KEYS = List.of("step", "timestamp", "model", "layer", "name", "shape", "rows", "cols", "n_evals",
            "alpha", "alpha_hill", "xmin", "ks_distance", "sigma", "tail_size", "alpha_weighted", "log_alpha_norm", "norm", "log_norm",
            "lambda_max", "log_spectral_norm", "sv_max", "stable_rank", "matrix_rank", "entropy", "effective_rank",
            "effective_rank_ratio", "spikes", "mp_bulk_max", "mp_sigma", "mp_softrank", "correlation_traps", "phase", "status",
            "warning", "nonfinite_values", "engine", "seconds", "correlation_traps_latest", "singular_vector_agreement_previous",
            "singular_vector_agreement_first", "subspace_overlap_previous", "subspace_overlap_first", "update_norm_ratio",
            "update_stable_rank", "update_alignment", "layer_alignment", "alpha_hill_baseline", "effective_rank_ratio_baseline",
            "direction_overlap", "top_singular_values", "eigenvalues");

    static List<String> keys(JsonNode o) {
        List<String> keys = new ArrayList<>();
        o.fieldNames().forEachRemaining(keys::add);
        return keys;
    }

    @Test
    void theHistoryRecordHasEveryKeyInOrder() {
        LayerReport fc1 = TestReports.twoSnapshots("m").get(0);
        JsonNode o = ReportRecords.layer(fc1, 200);
        assertEquals(HISTORY_KEYS, keys(o));
        assertEquals(10, o.get("step").asLong());
        assertEquals(1_700_000_000.010, o.get("timestamp").asDouble(), 1e-6);
        assertEquals("fc1", o.get("layer").asText());
        assertEquals(64, o.get("shape").get(0).asInt());
        assertTrue(o.get("spikes").isIntegralNumber());
        assertTrue(o.get("singular_vector_agreement_previous").isDouble());
        assertTrue(o.get("direction_overlap").has("beta"));
        assertEquals(5, o.get("top_singular_values").size());
        assertEquals(32, o.get("eigenvalues").size());
        assertEquals(o.get("sv_max").asDouble(), o.get("top_singular_values").get(0).asDouble(), 0);
    }

    @Test
    void whatDoesNotApplyIsNullNeverAMadeUpNumber() {
        List<LayerReport> reports = TestReports.twoSnapshots("m");
        JsonNode fc2 = ReportRecords.layer(reports.get(1), 0);
        assertTrue(fc2.get("layer_alignment").isNull(), "fc2's 16 rows do not chain into tiny's 4 columns");
        assertEquals(0, fc2.get("direction_overlap").size(), "the direction is tracked on fc1 only");
        assertTrue(!fc2.has("eigenvalues"), "no eigenvalues asked for");
        JsonNode tiny = ReportRecords.layer(reports.get(2), 0);
        assertEquals("too_small", tiny.get("status").asText());
        for (String key : List.of("alpha", "alpha_hill", "xmin", "ks_distance", "tail_size", "spikes", "mp_softrank")) {
            assertTrue(tiny.get(key).isNull(), key + " of a 8 x 4 matrix");
        }
        assertEquals(4, tiny.get("n_evals").asInt());
    }

    @Test
    void theAnalyzeRecordIsTheMatrixPartOfTheHistoryRecord() {
        LayerReport fc1 = TestReports.twoSnapshots("m").get(0);
        JsonNode analyze = ReportRecords.matrix(fc1.report(), false);
        JsonNode history = ReportRecords.layer(fc1, 0);
        List<String> keys = keys(analyze);
        assertEquals(HISTORY_KEYS.subList(HISTORY_KEYS.indexOf("name"), HISTORY_KEYS.indexOf("seconds") + 1), keys);
        for (String key : keys) {
            assertEquals(history.get(key), analyze.get(key), key);
        }
        assertEquals(32, ReportRecords.matrix(fc1.report(), true).get("eigenvalues").size());
    }

    @Test
    void downsamplingKeepsBothEndsAndTheOrder() {
        double[] ascending = new double[1000];
        for (int i = 0; i < ascending.length; i++) {
            ascending[i] = i;
        }
        double[] d = ReportRecords.downsample(ascending, 5);
        assertEquals(List.of(0.0, 250.0, 500.0, 749.0, 999.0), java.util.Arrays.stream(d).boxed().toList());
        assertEquals(3, ReportRecords.downsample(new double[] {1, 2, 3}, 5).length);
    }

    @Test
    void catalogueKeysAreUniqueAndEveryExportedFieldIsDescribed() {
        var seen = new HashSet<String>();
        for (Field f : MetricCatalogue.fields()) {
            assertTrue(seen.add(f.key()), "duplicate key " + f.key());
            if (f.export() != null) {
                assertTrue(f.export().name().startsWith("spectral_"), f.export().name());
                assertTrue(!f.export().description().isBlank() && !f.export().unit().isBlank(), f.key());
            }
        }
        assertTrue(MetricCatalogue.exported().size() >= 25);
    }
}
