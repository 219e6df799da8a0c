package io.specwatch.javaagent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import com.sun.tools.attach.VirtualMachine;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.specwatch.javaagent.apps.HandWrittenLoop;

/**
 * The agent loaded into a running job (the manifest's Agent-Class, through the JDK's attach API):
 * the Trainer class already loaded is retransformed, and the trainer that is training is watched
 * from its next step, counted from 0 there.
 */
class LateAttachIT {

    private static final Duration LONG = Duration.ofMinutes(3);

    @TempDir
    Path dir;

    private static void awaitRecords(Path history, int records) throws Exception {
        long end = System.nanoTime() + LONG.toNanos();
        while (recordsIn(history) < records) {
            assertTrue(System.nanoTime() < end, "the history did not reach " + records + " records");
            Thread.sleep(100);
        }
    }

    /** Layer records so far; a line being written counts as none yet. */
    private static int recordsIn(Path history) {
        try {
            return java.nio.file.Files.exists(history) ? History.read(history).layers().size() : 0;
        } catch (java.io.IOException e) {
            return 0;
        }
    }

    @Test
    void aRunningTrainerIsWatchedFromItsNextStep() throws Exception {
        Path history = dir.resolve("late.jsonl");
        Job.Running job = Job.java("-Dai.djl.offline=true", "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn",
                        "-cp", Job.djlApplication(System.getProperty("djl.version")), HandWrittenLoop.class.getName(),
                        "--steps", "100000", "--step-delay-ms", "5", "--until-input")
                .in(dir).start(dir.resolve("logs"));
        job.awaitLine(true, l -> l.equals("training"), LONG);
        VirtualMachine vm = VirtualMachine.attach(Long.toString(job.pid()));
        try {
            vm.loadAgent(Job.specwatchJar().toString(), "port=off,every=50,model=late,history=" + history);
        } finally {
            vm.detach();
        }
        job.awaitLine(false, l -> l.equals("specwatch: watching the Trainer of model loop"), LONG);
        awaitRecords(history, 8 * 2);   // steps 0 .. 50 of both layers
        try (var stdin = job.stdin()) {
            stdin.write("stop\n".getBytes(java.nio.charset.StandardCharsets.UTF_8));
        }
        Job.Result r = job.finish(LONG);
        assertEquals(0, r.exit(), r.toString());
        long updates = new com.fasterxml.jackson.databind.ObjectMapper().readTree(r.lastLine()).get("updates").asLong();
        List<Long> steps = new ArrayList<>(History.read(history).steps());
        assertEquals(List.of(0L, 1L, 2L, 4L, 8L, 16L, 32L, 50L), steps.subList(0, 8), steps.toString());
        long last = steps.get(steps.size() - 1);
        assertTrue(last >= 50 && last < updates, "the last weights are the updates since the attach (" + updates + " in all): " + steps);
    }
}
