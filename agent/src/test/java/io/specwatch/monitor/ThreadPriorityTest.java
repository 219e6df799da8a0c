package io.specwatch.monitor;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Each priority, applied on a fresh thread and read back from the kernel's view of that thread. */
class ThreadPriorityTest {

    @ParameterizedTest
    @CsvSource({"IDLE, nice 19 policy 5", "LOW, nice 19 policy 0", "NORMAL, as the parent"})
    void appliesThePriorityToTheCallingThreadOnly(AnalysisPriority priority, String expected) throws Exception {
        String parent = niceAndPolicy(Files.readString(Path.of("/proc/thread-self/stat")));
        AtomicReference<String> seen = new AtomicReference<>();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread thread = new Thread(() -> {
            try {
                ThreadPriority.applyToCurrentThread(priority);
                seen.set(niceAndPolicy(Files.readString(Path.of("/proc/thread-self/stat"))));
            } catch (Throwable t) {
                failure.set(t);
            }
        });
        thread.start();
        thread.join();
        assertEquals(null, failure.get());
        assertEquals(expected.equals("as the parent") ? parent : expected, seen.get());
        // the thread that started it is untouched
        assertEquals(parent, niceAndPolicy(Files.readString(Path.of("/proc/thread-self/stat"))));
    }

    /** "nice N policy P" from a /proc/.../stat line (fields 19 and 41; policy 5 is SCHED_IDLE). */
    static String niceAndPolicy(String stat) {
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        // fields[0] is field 3
        return "nice " + fields[16] + " policy " + fields[38];
    }
}
