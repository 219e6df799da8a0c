package io.specwatch.javaagent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.specwatch.monitor.AnalysisPriority;
import io.specwatch.monitor.MonitorSettings;

/** Where each setting comes from (argument over environment over file), and what is refused, in which words. */
class AgentConfigTest {

    @TempDir
    Path dir;

    @Test
    void defaultsWithNothingSet() throws Exception {
        AgentConfig c = AgentConfig.resolve(null, Map.of());
        assertEquals(9464, c.port());
        assertEquals("127.0.0.1", c.host());
        assertNull(c.history());
        assertEquals(0, c.lingerSeconds());
        assertEquals(io.specwatch.export.CpuBudget.DEFAULT, c.httpCpu());
        assertEquals(io.specwatch.export.CpuBudget.UNLIMITED, AgentConfig.resolve("http-cpu=off", Map.of()).httpCpu());
        assertEquals(0.5, AgentConfig.resolve("", Map.of("SPECWATCH_HTTP_CPU", "0.5")).httpCpu().share());
        assertEquals(60, c.flushTimeoutSeconds());
        assertEquals("warn", c.logLevel());
        MonitorSettings s = c.monitor().settings();
        assertEquals("model", s.model());
        assertEquals(50, s.schedule().every());
        assertEquals(AnalysisPriority.IDLE, s.analysisPriority());
        assertEquals(256L << 20, s.memoryBudgetBytes());
    }

    @Test
    void argumentOverEnvironmentOverFile() throws Exception {
        Path file = dir.resolve("a.properties");
        Files.writeString(file, "every=7\nmodel=file\nvectors=2\nport=1111\n");
        Map<String, String> env = Map.of("SPECWATCH_EVERY", "5", "SPECWATCH_MODEL", "env", "SPECWATCH_CONFIG", file.toString(),
                "SPECWATCH_MEMORY_BUDGET_MB", "64");
        AgentConfig c = AgentConfig.resolve("every=3,port=0", env);
        MonitorSettings s = c.monitor().settings();
        assertEquals(3, s.schedule().every(), "argument");
        assertEquals("env", s.model(), "environment over file");
        assertEquals(2, s.analysis().vectors(), "file");
        assertEquals(64L << 20, s.memoryBudgetBytes(), "environment, with its underscores");
        assertEquals(0, c.port(), "argument over file");
        assertEquals("agent argument", c.origin("every"));
        assertEquals("SPECWATCH_MODEL", c.origin("model"));
        assertEquals("config file " + file, c.origin("vectors"));
    }

    @Test
    void theArgumentsConfigWinsOverTheEnvironmentsAndBlankVariablesAreUnset() throws Exception {
        Path a = dir.resolve("a.properties");
        Path b = dir.resolve("b.properties");
        Files.writeString(a, "model=a\n");
        Files.writeString(b, "model=b\n");
        assertEquals("a", AgentConfig.resolve("config=" + a, Map.of("SPECWATCH_CONFIG", b.toString())).model());
        assertEquals("b", AgentConfig.resolve("", Map.of("SPECWATCH_CONFIG", b.toString(), "SPECWATCH_MODEL", " ")).model());
        assertEquals(-1, AgentConfig.resolve("port=off", Map.of()).port());
    }

    @Test
    void aFileHoldsWhatACommaWouldBreak() throws Exception {
        Path file = dir.resolve("c.properties");
        Files.writeString(file, "# comment\ninclude=^(0[13])Linear_w{1,2}eight$\n");
        assertEquals("^(0[13])Linear_w{1,2}eight$", AgentConfig.resolve("config=" + file, Map.of()).monitor().settings().selection().include().pattern());
    }

    @Test
    void refusalsNameTheKeyTheValueAndTheSource() throws Exception {
        assertRefused("every=abc", Map.of(), "bad setting every=abc (agent argument): not a whole number");
        assertRefused("every=0", Map.of(), "bad setting every=0 (agent argument): must be >= 1");
        assertRefused("port=70000", Map.of(), "bad setting port=70000 (agent argument): must be 0..65535");
        assertRefused("", Map.of("SPECWATCH_ANALYSIS_PRIORITY", "lowest"),
                "bad setting analysis-priority=lowest (SPECWATCH_ANALYSIS_PRIORITY): expected one of idle, low, normal");
        assertRefused("include=(", Map.of(), "bad setting include=( (agent argument): not a regular expression (Unclosed group)");
        assertRefused("dense-early=yes", Map.of(), "bad setting dense-early=yes (agent argument): expected true or false");
        assertRefused("every", Map.of(), "bad agent argument 'every': expected key=value pairs separated by commas (a value with a comma goes into config=FILE)");
        assertRefused("every=1,every=2", Map.of(), "bad agent argument: every is given twice");
        assertRefused("config=" + dir.resolve("none.properties"), Map.of(),
                "cannot read the config file " + dir.resolve("none.properties") + " (agent argument): no such file");
        assertRefused("engine=fastest", Map.of(), "bad setting engine=fastest (agent argument): ");
        assertRefused("device=tpu", Map.of(), "bad setting device=tpu (agent argument): ");
        assertRefused("http-cpu=10%", Map.of(), "bad setting http-cpu=10% (agent argument): http-cpu must be a fraction of one core");
        assertRefused("", Map.of("SPECWATCH_HTTP_CPU", "0"), "bad setting http-cpu=0 (SPECWATCH_HTTP_CPU): http-cpu must be a fraction of one core above 0");
        AgentConfig.Invalid unknown = assertThrows(AgentConfig.Invalid.class, () -> AgentConfig.resolve("evry=5", Map.of()));
        assertEquals(true, unknown.getMessage().startsWith("unknown setting 'evry' (agent argument); known: model, port, host,"), unknown.getMessage());
    }

    @Test
    void fileRefusals() throws Exception {
        Path typo = dir.resolve("typo.properties");
        Files.writeString(typo, "evry=5\n");
        AgentConfig.Invalid e = assertThrows(AgentConfig.Invalid.class, () -> AgentConfig.resolve("config=" + typo, Map.of()));
        assertEquals(true, e.getMessage().startsWith("unknown setting 'evry' (config file " + typo + ")"), e.getMessage());

        Path nested = dir.resolve("nested.properties");
        Files.writeString(nested, "config=" + typo + "\n");
        assertRefused("config=" + nested, Map.of(), "config in the config file " + nested + ": a config file cannot name another");

        Path big = dir.resolve("big.properties");
        Files.writeString(big, "#" + "x".repeat(AgentConfig.MAX_CONFIG_BYTES) + "\n");
        assertRefused("config=" + big, Map.of(), "the config file " + big + " is over 64 KiB: not a settings file");

        Path fromFile = dir.resolve("bad.properties");
        Files.writeString(fromFile, "every=-3\n");
        assertRefused("config=" + fromFile, Map.of(), "bad setting every=-3 (config file " + fromFile + "): must be >= 1");
    }

    @Test
    void unknownEnvironmentVariablesWithThePrefixAreLeftAlone() throws Exception {
        assertEquals(50, AgentConfig.resolve(null, Map.of("SPECWATCH_CUDA_LIBS", "/x", "SPECWATCH_PYTHON", "/y")).monitor().settings().schedule().every());
    }

    private static void assertRefused(String arguments, Map<String, String> env, String messageStart) {
        AgentConfig.Invalid e = assertThrows(AgentConfig.Invalid.class, () -> AgentConfig.resolve(arguments, env).monitor());
        assertEquals(true, e.getMessage().startsWith(messageStart), e.getMessage());
    }
}
