package io.specwatch.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import io.specwatch.tensorfile.HostileCheckpoints;
import io.specwatch.tensorfile.Printable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The fuzz corpus through the command a user runs: every malformed or hostile checkpoint of every
 * format makes {@code specwatch analyze} exit 2 with one line on stderr naming the file and the
 * reason, within 30 s, with no stack trace; the pickles that would run {@code os.system} or
 * {@code eval} run nothing.
 */
class HostileInputTest {

    @TempDir
    Path dir;

    @Test
    void everyCaseExitsTwoWithOneLineNamingTheFileAndTheReason() throws Exception {
        Path marker = dir.resolve("MARKER");
        List<HostileCheckpoints.Case> cases = new ArrayList<>(HostileCheckpoints.write(dir.resolve("corpus"), marker));
        cases.addAll(HostileCheckpoints.overHeap(dir.resolve("corpus")));
        for (HostileCheckpoints.Case c : cases) {
            List<String> args = new ArrayList<>(List.of("analyze", "--format", "json"));
            args.addAll(c.args());
            args.add(c.path().toString());
            AnalyzeCommandTest.Run r = assertTimeoutPreemptively(Duration.ofSeconds(30),
                    () -> AnalyzeCommandTest.run(args.toArray(String[]::new)), c.name());
            assertEquals(2, r.exit(), c + ": " + r.err());
            String[] lines = r.err().strip().split("\n");
            assertEquals(1, lines.length, c + ": " + r.err());
            assertTrue(lines[0].startsWith("specwatch: " + Printable.of(c.path().toString()) + ": "), c + ": " + lines[0]);
            assertTrue(lines[0].contains(c.reason()), c + ": expected '" + c.reason() + "' in " + lines[0]);
            assertFalse(lines[0].contains("Exception") || lines[0].contains("Error") || lines[0].contains("\tat "), lines[0]);
            assertEquals("", r.out().strip(), c + ": no record for a refused file");
        }
        assertFalse(Files.exists(marker), "a hostile pickle ran a command");
        // the refusals name what was refused
        String system = AnalyzeCommandTest.run("analyze", dir.resolve("corpus/real/torch_os_system.pt").toString()).err();
        assertTrue(system.contains("refused global 'posix.system' (os.system)"), system);
    }
}
