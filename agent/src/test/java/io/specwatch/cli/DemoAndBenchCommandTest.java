package io.specwatch.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.Map;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;

class DemoAndBenchCommandTest {

    @Test
    void demoShowsEveryPhaseOnItsMatrix() {
        AnalyzeCommandTest.Run r = AnalyzeCommandTest.run("demo");
        assertEquals(0, r.exit(), r.err());
        // phase column of each row, keyed by the matrix name
        Map<String, String> phase = Arrays.stream(r.out().split("\n"))
                .map(String::strip)
                .filter(line -> line.matches("^(random_init|one_spike|trained|over_trained|collapsed|diverged)\\s+\\d+x\\d+\\s.*"))
                .collect(Collectors.toMap(line -> line.split("\\s+")[0], DemoAndBenchCommandTest::phaseOf));
        assertEquals("random-like", phase.get("random_init"));
        assertEquals("bulk+spikes", phase.get("one_spike"));
        assertEquals("heavy-tailed", phase.get("trained"));
        assertEquals("very-heavy-tailed", phase.get("over_trained"));
        assertEquals("rank-collapse", phase.get("collapsed"));
        assertEquals("nonfinite", phase.get("diverged"));
    }

    private static String phaseOf(String line) {
        for (String p : new String[] {"very-heavy-tailed", "heavy-tailed", "random-like", "bulk+spikes", "rank-collapse", "nonfinite", "undetermined"}) {
            if (line.contains(" " + p + " ")) {
                return p;
            }
        }
        return "?";
    }

    @Test
    void demoRejectsTinyMatrices() {
        AnalyzeCommandTest.Run r = AnalyzeCommandTest.run("demo", "--rows", "5");
        assertEquals(2, r.exit());
        assertTrue(r.err().contains("--rows"));
    }

    @Test
    void benchPrintsAMedianRowPerEngineAndTheRandomizedError() {
        AnalyzeCommandTest.Run r = AnalyzeCommandTest.run("bench", "--sizes", "256x128", "--repeats", "3",
                "--engines", "svd32,gram64,randomized,analysis", "--top-k", "8");
        assertEquals(0, r.exit(), r.err());
        String out = r.out();
        assertTrue(out.contains("| 256x128 | LAPACK gesvd values (baseline) |"), out);
        assertTrue(out.contains("| 256x128 | Gram + syev float64 |"), out);
        assertTrue(out.contains("| 256x128 | full analysis"), out);
        String error = Arrays.stream(out.split("\n")).filter(l -> l.contains("power-law ESD")).findFirst().orElseThrow();
        double relativeError = Double.parseDouble(error.split("\\|")[3].strip());
        assertTrue(relativeError >= 0 && relativeError < 1e-3, error);
    }

    @Test
    void benchRejectsBadSizesAndCounts() {
        assertEquals(2, AnalyzeCommandTest.run("bench", "--sizes", "banana").exit());
        assertEquals(2, AnalyzeCommandTest.run("bench", "--repeats", "0").exit());
    }
}
