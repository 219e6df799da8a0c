package io.specwatch.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import com.fasterxml.jackson.databind.JsonNode;
import io.specwatch.history.HistoryReader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Observations R1–R8 of docs/reproductions.md (Kothapalli et al. 2024), from the monitor's own numbers (its JSON history), on
 * the real teacher-student example run through its command line: full size (n 2000, d 1000,
 * h 1500) unless the note allows a reduced one, two seeds each.
 */
class TeacherStudentReproductionTest {

    private static final Map<String, List<JsonNode>> RUNS = new ConcurrentHashMap<>();

    /** The history of one run, one record per snapshot (every step is snapshotted); runs are cached. */
    static List<JsonNode> history(String... args) {
        return RUNS.computeIfAbsent(String.join(" ", args), key -> {
            try {
                Path file = Files.createTempFile("teacher-student", ".jsonl");
                Files.delete(file);
                List<String> all = new ArrayList<>(List.of("teacher-student", "--port", "0", "--history", file.toString()));
                if (!List.of(args).contains("--every")) {
                    all.addAll(List.of("--every", "1"));
                }
                // one PyTorch thread: with two, MKL's products came out differently under a busy machine,
                // and the chaotic large-learning-rate runs (R7) turned that into different trajectories
                if (!List.of(args).contains("--torch-threads")) {
                    all.addAll(List.of("--torch-threads", "1"));
                }
                all.addAll(List.of(args));
                MlpExampleTest.Run run = MlpExampleTest.run(all.toArray(String[]::new));
                assertEquals(0, run.exit(), run.out());
                List<JsonNode> records = HistoryReader.read(file);
                Files.delete(file);
                return records;
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        });
    }

    static JsonNode at(List<JsonNode> history, long step) {
        return history.stream().filter(r -> r.path("step").asLong() == step).findFirst()
                .orElseThrow(() -> new AssertionError("no snapshot at step " + step));
    }

    static double sigmaRatio(List<JsonNode> history, long step) {
        return at(history, step).path("sv_max").asDouble() / at(history, 0).path("sv_max").asDouble();
    }

    static double overlap(List<JsonNode> history, long step) {
        return at(history, step).path("direction_overlap").path("teacher").asDouble();
    }

    static String seed(int seed) {
        return String.valueOf(seed);
    }

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(ints = {1, 2})
    void r1SmallGdStepsLeaveTheSpectrumAlone(int seed) {
        for (String lr : List.of("0.1", "1", "10", "100")) {
            List<JsonNode> h = history("--optimizer", "gd", "--lr", lr, "--steps", "10", "--seed", seed(seed));
            assertEquals(11, h.size());
            for (JsonNode r : h) {
                assertEquals(0, r.path("spikes").asInt(), "lr " + lr + " step " + r.path("step"));
            }
            double ratio = sigmaRatio(h, 10);
            assertTrue(ratio >= 0.99 && ratio <= 1.01, "lr " + lr + ": σ₁ ratio " + ratio);
            assertTrue(overlap(h, 10) < 0.1, "lr " + lr + ": overlap " + overlap(h, 10));
        }
    }

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(ints = {1, 2})
    void r1bGdToInterpolationKeepsTheBulk(int seed) {
        // reduced size (the note allows it): 2000 steps of GD at lr 10
        List<JsonNode> h = history("--optimizer", "gd", "--lr", "10", "--steps", "2000", "--seed", seed(seed),
                "--n", "500", "--d", "250", "--h", "375", "--every", "500");
        JsonNode last = at(h, 2000);
        JsonNode top = last.path("top_singular_values");
        assertTrue(top.get(0).asDouble() / top.get(1).asDouble() < 1.05, "σ₁/σ₂ " + top);
        double change = Math.abs(last.path("effective_rank_ratio").asDouble() - at(h, 0).path("effective_rank_ratio").asDouble());
        assertTrue(change < 0.005, "effective-rank ratio change " + change);
        assertTrue(last.path("loss").isMissingNode(), "history holds monitor numbers only");
    }

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(ints = {1, 2})
    void r2OneLargeGdStepCreatesASpikeAlignedWithTheTeacher(int seed) {
        List<JsonNode> h = history("--optimizer", "gd", "--lr", "3000", "--steps", "1", "--seed", seed(seed));
        assertTrue(sigmaRatio(h, 1) > 1.5, "σ₁ ratio " + sigmaRatio(h, 1));
        assertTrue(at(h, 1).path("spikes").asInt() >= 1);
        assertTrue(overlap(h, 1) > 0.3, "overlap " + overlap(h, 1));
        assertEquals(0, at(h, 0).path("spikes").asInt(), "no spike at initialisation");
    }

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(ints = {1, 2})
    void r3OneAdamStepCreatesASpikeAlignedWithTheTeacher(int seed) {
        List<JsonNode> h = history("--optimizer", "adam", "--lr", "0.1", "--steps", "1", "--seed", seed(seed));
        assertTrue(sigmaRatio(h, 1) > 1.3, "σ₁ ratio " + sigmaRatio(h, 1));
        assertTrue(overlap(h, 1) > 0.3, "overlap " + overlap(h, 1));
    }

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(ints = {1, 2})
    void r4AdamNeedsAFarSmallerLearningRateThanGd(int seed) {
        List<JsonNode> adam = history("--optimizer", "adam", "--lr", "0.01", "--steps", "10", "--seed", seed(seed));
        List<JsonNode> gd = history("--optimizer", "gd", "--lr", "100", "--steps", "10", "--seed", seed(seed));
        assertTrue(overlap(adam, 10) > 0.3, "Adam 0.01 overlap " + overlap(adam, 10));
        assertTrue(overlap(gd, 10) < 0.1, "GD 100 overlap " + overlap(gd, 10));
    }

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(ints = {1, 2})
    void r5TheFirstUpdateIsNearlyRankOne(int seed) {
        double gd = at(history("--optimizer", "gd", "--lr", "3000", "--steps", "1", "--seed", seed(seed)), 1).path("update_stable_rank").asDouble();
        double adam = at(history("--optimizer", "adam", "--lr", "0.1", "--steps", "1", "--seed", seed(seed)), 1).path("update_stable_rank").asDouble();
        assertTrue(gd >= 1 && gd < 1.3, "GD stable rank of ΔW₁ " + gd);
        assertTrue(adam >= 1 && adam < 2.0, "Adam stable rank of ΔW₁ " + adam);
    }

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(ints = {1, 2})
    void r6TheSpikeFormingUpdatePointsAlongTheSpike(int seed) {
        double spike = at(history("--optimizer", "gd", "--lr", "3000", "--steps", "1", "--seed", seed(seed)), 1).path("update_alignment").asDouble();
        double adam = at(history("--optimizer", "adam", "--lr", "0.1", "--steps", "1", "--seed", seed(seed)), 1).path("update_alignment").asDouble();
        double small = at(history("--optimizer", "gd", "--lr", "100", "--steps", "10", "--seed", seed(seed)), 1).path("update_alignment").asDouble();
        assertTrue(spike > 0.8, "GD 3000 alignment " + spike);
        assertTrue(adam > 0.8, "Adam 0.1 alignment " + adam);
        assertTrue(small < 0.2, "GD 100 (no spike) alignment " + small);
    }

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(ints = {1, 2})
    void r7RepeatedLargeAdamStepsMakeTheSpectrumHeavyTailed(int seed) {
        List<JsonNode> h = history("--optimizer", "adam", "--lr", "1", "--steps", "10", "--seed", seed(seed));
        double fall = at(h, 0).path("alpha_hill").asDouble() - at(h, 10).path("alpha_hill").asDouble();
        assertTrue(fall > 0.4, "α_hill fell by " + fall);
        assertTrue(at(h, 10).path("effective_rank_ratio").asDouble() < 0.85, "effective-rank ratio " + at(h, 10).path("effective_rank_ratio"));
        assertEquals(at(h, 0).path("alpha_hill").asDouble(), at(h, 10).path("alpha_hill_baseline").asDouble(), 1e-12, "baseline is step 0");
    }

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(ints = {1, 2})
    void r8GaussianInitialisationMatchesRandomMatrixTheory(int seed) {
        JsonNode init = at(history("--optimizer", "gd", "--lr", "3000", "--steps", "1", "--seed", seed(seed)), 0);
        assertEquals(2.46, init.path("alpha_hill").asDouble(), 0.02);
        assertEquals(0.894, init.path("effective_rank_ratio").asDouble(), 0.005);
        double edge = Math.sqrt(1500) + Math.sqrt(1000);
        assertEquals(edge, init.path("sv_max").asDouble(), 0.02 * edge);
        assertEquals("random-like", init.path("phase").asText());
    }

    @Test
    void theSameSeedGivesTheSameRun() {
        List<JsonNode> a = history("--optimizer", "adam", "--lr", "0.1", "--steps", "1", "--seed", "1");
        // the same arguments plus an explicit default: a second, independent run
        List<JsonNode> b = history("--optimizer", "adam", "--lr", "0.1", "--steps", "1", "--seed", "1", "--vectors", "10");
        assertEquals(a.size(), b.size());
        for (int i = 0; i < a.size(); i++) {
            assertEquals(a.get(i).path("sv_max").asDouble(), b.get(i).path("sv_max").asDouble(), 0.0);
            assertEquals(a.get(i).path("alpha").asDouble(), b.get(i).path("alpha").asDouble(), 0.0);
        }
        List<JsonNode> other = history("--optimizer", "adam", "--lr", "0.1", "--steps", "1", "--seed", "2");
        assertTrue(a.get(1).path("sv_max").asDouble() != other.get(1).path("sv_max").asDouble(), "another seed, another run");
    }

    @Test
    void badArgumentsFailWithAMessage() {
        MlpExampleTest.Run run = MlpExampleTest.run("teacher-student", "--lr", "-1", "--no-monitor");
        assertEquals(2, run.exit());
        MlpExampleTest.Run unknown = MlpExampleTest.run("teacher-student", "--optimizer", "sgd", "--no-monitor");
        assertEquals(2, unknown.exit());
        assertEquals(2, MlpExampleTest.run("teacher-student", "--report", "r.html").exit());
        assertEquals(2, MlpExampleTest.run("teacher-student", "--d", "1", "--no-monitor").exit());
    }
}
