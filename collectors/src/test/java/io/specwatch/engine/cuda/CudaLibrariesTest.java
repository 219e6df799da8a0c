package io.specwatch.engine.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Discovery on a machine without CUDA, made deterministic: only {@code SPECWATCH_CUDA_LIBS} is
 * searched (no system folder, no system loader), so the result does not depend on what this
 * machine has installed.
 */
class CudaLibrariesTest {

    @TempDir
    Path dir;

    private CudaReport inspect(boolean full) {
        return CudaLibraries.inspect(new LibrarySearch.Environment(Map.of("SPECWATCH_CUDA_LIBS", dir.toString()), dir, "x86_64", false), full)
                .report();
    }

    private void file(String name, String content) throws IOException {
        Files.writeString(dir.resolve(name), content);
    }

    @Test
    void noDriverSaysSoInOneLine() {
        CudaReport report = inspect(true);
        assertFalse(report.usable());
        assertEquals("libcuda.so.1 not found: no NVIDIA driver on this machine", report.problem());
        List<String> lines = report.lines();
        assertTrue(lines.contains("driver: libcuda.so.1 not found: no NVIDIA driver on this machine"), lines.toString());
        assertTrue(lines.contains("  " + dir + "  [SPECWATCH_CUDA_LIBS]"), lines.toString());
        assertTrue(lines.contains("  libcublas.so.13 / libcublas.so.12 / libcublas.so.11 not found"), lines.toString());
        assertEquals("usable: no: libcuda.so.1 not found: no NVIDIA driver on this machine", lines.get(lines.size() - 1));
        assertTrue(report.devices().isEmpty());
    }

    @Test
    void aDriverThatIsNotALibraryIsNamedWithTheLoadersReason() throws IOException {
        file("libcuda.so.1", "garbage");
        CudaReport report = inspect(false);
        Path driver = dir.resolve("libcuda.so.1");
        assertEquals("cannot load " + driver + ": file too short", report.problem());
        assertEquals(driver.toString(), report.driver().path());
    }

    @Test
    void librariesFoundWithoutADriverAreListedButNotLoaded() throws IOException {
        // garbage files: loading them would fail, and without a driver they are not even loaded
        for (String name : List.of("libcudart.so.13", "libcublas.so.13", "libcusolver.so.12")) {
            file(name, "garbage");
        }
        CudaReport report = inspect(false);
        assertEquals("libcuda.so.1 not found: no NVIDIA driver on this machine", report.problem());
        assertEquals(13, report.toolkit());
        assertEquals(List.of("libcudart.so.13", "libcublas.so.13", "libcusolver.so.12"),
                report.libraries().stream().map(CudaReport.Probe::name).toList());
        for (CudaReport.Probe p : report.libraries()) {
            assertEquals(dir.resolve(p.name()).toString(), p.path());
            assertNull(p.version());
            assertNull(p.error());
        }
    }

    @Test
    void theDoctorLoadsThemAnywayAndReportsWhyOneFails() throws IOException {
        for (String name : List.of("libcudart.so.13", "libcublas.so.13", "libcusolver.so.12")) {
            file(name, "garbage");
        }
        CudaReport report = inspect(true);
        // the first problem stays the driver; the runtime's own failure is on its line
        assertEquals("libcuda.so.1 not found: no NVIDIA driver on this machine", report.problem());
        CudaReport.Probe runtime = report.libraries().get(0);
        assertEquals("libcudart.so.13", runtime.name());
        assertEquals("cannot load: file too short", runtime.error());
    }

    @Test
    void theNewestCompleteToolkitIsChosen() throws IOException {
        // CUDA 13 lacks cuSOLVER here; CUDA 12 is complete (its cuSOLVER is libcusolver.so.11)
        for (String name : List.of("libcudart.so.13", "libcublas.so.13", "libcudart.so.12", "libcublas.so.12.4.5.8", "libcusolver.so.11")) {
            file(name, "garbage");
        }
        CudaReport report = inspect(false);
        assertEquals(12, report.toolkit());
        assertEquals(dir.resolve("libcublas.so.12.4.5.8").toString(), report.libraries().get(1).path());
    }

    @Test
    void anIncompleteSetIsReportedPerLibrary() throws IOException {
        file("libcudart.so.12", "garbage");
        CudaReport report = inspect(false);
        assertEquals(0, report.toolkit());
        List<String> lines = report.lines();
        assertTrue(lines.contains("  libcudart.so.13 / libcudart.so.12 / libcudart.so.11.0 at " + dir.resolve("libcudart.so.12") + " (CUDA 12)"),
                lines.toString());
        assertTrue(lines.contains("  libcusolver.so.12 / libcusolver.so.11 not found"), lines.toString());
    }
}
