package io.specwatch.javaagent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.specwatch.javaagent.apps.HandWrittenLoop;

/**
 * The agent on training loops that are not the examples' (HandWrittenLoop, a job that knows
 * nothing of specwatch), on the project's DJL and on an older one. A step is an optimiser update:
 * the expected steps are the documented schedule over the updates the job reports, whatever the
 * loop fires.
 */
class LoopsIT {

    private static final Duration LONG = Duration.ofMinutes(3);
    private static final Set<String> LAYERS = Set.of("01Linear_weight", "03Linear_weight");

    @TempDir
    Path dir;

    /** Never EasyTrain, so no listener callback ever fires: the agent counts trainer.step() calls. */
    @Test
    void aHandWrittenLoopIsWatched() throws Exception {
        Path history = dir.resolve("hand.jsonl");
        Job.Result r = job(System.getProperty("djl.version"), "port=off,every=10,model=hand,history=" + history,
                "--steps", "30", "--loop", "hand");
        assertEquals(0, r.exit(), r.toString());
        assertEquals("{\"updates\": 30, \"batches\": 30,", r.lastLine().substring(0, r.lastLine().indexOf(" \"loss\"")), r.toString());
        History h = History.read(history);
        // 0, the dense start 1 2 4 8, the multiples of 10, and the last weights (at close)
        assertEquals(List.of(0L, 1L, 2L, 4L, 8L, 10L, 20L, 30L), new ArrayList<>(h.steps()));
        assertEquals(LAYERS, h.layerNames());
        assertEquals(8 * LAYERS.size(), h.layers().size(), "each step once");
        assertTrue(r.agentLines().contains("specwatch: watching the Trainer of model loop"), r.toString());
        assertFalse(r.err().contains("\tat "), "no stack trace: " + r);
    }

    /**
     * EasyTrain fires onTrainingBatch for each batch and the loop calls step() after two of them:
     * both points are seen, and steps count the 2 × 30 updates of two trainers one after another
     * (the second continues the count), not the 120 batches.
     */
    @Test
    void bothHooksFiringCountUpdatesOnceAcrossTrainers() throws Exception {
        Path history = dir.resolve("easy.jsonl");
        Job.Result r = job(System.getProperty("djl.version"), "port=off,every=10,history=" + history,
                "--steps", "30", "--loop", "easy", "--batches-per-step", "2", "--trainers", "2");
        assertEquals(0, r.exit(), r.toString());
        assertEquals("{\"updates\": 60, \"batches\": 120, \"loss\": null}", r.lastLine());
        History h = History.read(history);
        assertEquals(List.of(0L, 1L, 2L, 4L, 8L, 10L, 20L, 30L, 40L, 50L, 60L), new ArrayList<>(h.steps()));
        assertEquals(11 * LAYERS.size(), h.layers().size(), "each step once, the first trainer's last one included");
        assertEquals(1, h.runs().size(), "one run for the JVM");
        assertTrue(r.agentLines().contains("specwatch: watching the Trainer of model loop, from step 30"), r.toString());
    }

    /** The older DJL release with its own PyTorch: the same hooks, the same steps, and no "not tested" notice. */
    @Test
    void anOlderDjlIsWatchedAlike() throws Exception {
        String previous = System.getProperty("djl.previous.version");
        Path history = dir.resolve("old.jsonl");
        Job.Result r = job(previous, "port=0,every=10,history=" + history, "--steps", "20", "--loop", "easy");
        assertEquals(0, r.exit(), r.toString());
        assertTrue(r.agentLines().get(0).contains("watches DJL " + previous + " trainers"), r.toString());
        assertFalse(r.err().contains("not a version the agent was tested with"), r.toString());
        History h = History.read(history);
        assertEquals(List.of(0L, 1L, 2L, 4L, 8L, 10L, 20L), new ArrayList<>(h.steps()));
        assertEquals(LAYERS, h.layerNames());
    }

    private Job.Result job(String djlVersion, String agentArguments, String... arguments) throws Exception {
        List<String> command = new ArrayList<>(List.of("-Dai.djl.offline=true", "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn",
                Job.agent(agentArguments), "-cp", Job.djlApplication(djlVersion), HandWrittenLoop.class.getName()));
        command.addAll(List.of(arguments));
        return Job.java(command.toArray(String[]::new)).in(dir).run(dir.resolve("logs"), LONG);
    }
}
