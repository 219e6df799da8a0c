package io.specwatch.tensorfile;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The library contract the checkpoint watcher relies on: every case of the fuzz corpus is refused
 * by {@link Checkpoint#open} or {@link Checkpoint#readFloats} with a one-line TensorFormatException
 * naming the reason, within seconds, without running anything the file asks for.
 */
class HostileCheckpointsTest {

    @TempDir
    Path dir;

    @Test
    void everyHostileCaseIsRefusedWithOneLineAndNothingRuns() throws Exception {
        Path marker = dir.resolve("MARKER");
        List<HostileCheckpoints.Case> cases = HostileCheckpoints.write(dir.resolve("corpus"), marker);
        cases = new java.util.ArrayList<>(cases);
        cases.addAll(HostileCheckpoints.overHeap(dir.resolve("corpus")));
        assertTrue(cases.size() >= 60, cases.size() + " cases");
        for (HostileCheckpoints.Case c : cases) {
            String message = assertTimeoutPreemptively(Duration.ofSeconds(30), () -> refusal(c), c.name());
            assertFalse(message.contains("\n"), c + ": " + message);
            assertTrue(message.contains(c.reason()), c + ": expected '" + c.reason() + "' in: " + message);
        }
        assertFalse(Files.exists(marker), "a hostile pickle ran");
    }

    private static String refusal(HostileCheckpoints.Case c) {
        ReadLimits limits = c.args().isEmpty() ? ReadLimits.DEFAULT : ReadLimits.DEFAULT.withMaxElements(Long.parseLong(c.args().get(1)));
        try (Checkpoint checkpoint = Checkpoint.open(c.path(), limits)) {
            for (TensorEntry e : checkpoint.entries()) {
                if (e.type() != null) {
                    checkpoint.readFloats(e);
                }
            }
        } catch (TensorFormatException e) {
            return e.getMessage();
        }
        return fail(c + " was accepted");
    }
}
