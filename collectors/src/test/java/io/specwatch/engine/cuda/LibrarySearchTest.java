package io.specwatch.engine.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Where the CUDA libraries are looked for, in a made-up file system (no library is loaded here). */
class LibrarySearchTest {

    @TempDir
    Path root;

    private Path dir(String relative) throws IOException {
        return Files.createDirectories(root.resolve(relative));
    }

    private static void touch(Path file) throws IOException {
        Files.createDirectories(file.getParent());
        Files.writeString(file, "not a library");
    }

    private List<Path> places(Map<String, String> variables, boolean system) {
        return LibrarySearch.directories(LibrarySearch.places(new LibrarySearch.Environment(variables, root.resolve("home"), "x86_64", system)));
    }

    @Test
    void userFoldersComeFirstThenTheLoaderPathThenPythonEnvironments() throws IOException {
        Path mine = dir("mine");
        Path ld = dir("ld");
        Path cudaHome = dir("cuda-home/lib64");
        Path venvCu13 = dir("venv/lib/python3.11/site-packages/nvidia/cu13/lib");
        Path venvCublas = dir("venv/lib/python3.11/site-packages/nvidia/cublas/lib");
        Path conda = dir("conda/lib/python3.12/site-packages/nvidia/cusolver/lib");
        Path local = dir("home/.local/lib/python3.10/site-packages/nvidia/cuda_runtime/lib");
        Path pyenv = dir("home/.pyenv/versions/3.12.4/lib/python3.12/site-packages/nvidia/cu13/lib");
        List<Path> found = places(Map.of(
                "SPECWATCH_CUDA_LIBS", mine + ":" + root.resolve("missing") + "::" + mine,
                "LD_LIBRARY_PATH", ld.toString(),
                "CUDA_HOME", root.resolve("cuda-home").toString(),
                "VIRTUAL_ENV", root.resolve("venv").toString(),
                "CONDA_PREFIX", root.resolve("conda").toString()), true);
        // the made-up folders in this order; the machine's own system folders may follow
        List<Path> ours = found.stream().filter(p -> p.startsWith(root)).toList();
        assertEquals(List.of(mine, ld, cudaHome), ours.subList(0, 3));
        // one environment's package folders together (their order does not matter: each holds other libraries)
        assertEquals(java.util.Set.of(venvCu13, venvCublas), java.util.Set.copyOf(ours.subList(3, 5)));
        assertEquals(List.of(conda, local), ours.subList(5, 7));
        assertEquals(pyenv, ours.get(7), "the usual Python installations after the ones named in the environment");
        assertEquals(8, ours.size());
        assertEquals(ours, found.subList(0, ours.size()), "made-up folders before the system's");
    }

    @Test
    void withoutSystemPlacesOnlyTheUsersFoldersCount() throws IOException {
        Path mine = dir("mine");
        dir("venv/lib/python3.11/site-packages/nvidia/cu13/lib");
        List<Path> found = places(Map.of("SPECWATCH_CUDA_LIBS", mine.toString(), "VIRTUAL_ENV", root.resolve("venv").toString(),
                "LD_LIBRARY_PATH", "/usr/lib"), false);
        assertEquals(List.of(mine), found);
    }

    @Test
    void aLibraryFileNamedDirectlyStandsForItsFolder() throws IOException {
        Path lib = root.resolve("direct/libcublas.so.12");
        touch(lib);
        assertEquals(List.of(lib.getParent()), places(Map.of("SPECWATCH_CUDA_LIBS", lib.toString()), false));
    }

    @Test
    void findTakesTheSonameOrALongerVersionInTheFirstFolderThatHasOne() throws IOException {
        Path a = dir("a");
        Path b = dir("b");
        touch(b.resolve("libcublas.so.12"));
        touch(a.resolve("libcublas.so.12.4.5.8"));
        touch(a.resolve("libcublas.so.12.10.1"));
        touch(a.resolve("libcublas.so.13"));
        assertEquals(Optional.of(a.resolve("libcublas.so.12.10.1")), LibrarySearch.find(List.of(a, b), "libcublas.so.12"));
        assertEquals(Optional.of(b.resolve("libcublas.so.12")), LibrarySearch.find(List.of(b, a), "libcublas.so.12"));
        assertEquals(Optional.empty(), LibrarySearch.find(List.of(a, b), "libcublas.so.11"));
        // libcudart.so.11.0 is CUDA 11's soname, not libcudart.so.11 with more digits
        touch(b.resolve("libcudart.so.11.0"));
        assertEquals(Optional.of(b.resolve("libcudart.so.11.0")), LibrarySearch.find(List.of(a, b), "libcudart.so.11.0"));
    }

    @Test
    void newerToolkitFoldersSortFirst() {
        assertTrue(LibrarySearch.compareVersions("cuda-12.10", "cuda-12.9") > 0);
        assertTrue(LibrarySearch.compareVersions("cu13", "cu12") > 0);
        assertTrue(LibrarySearch.compareVersions("cuda-11.8", "cuda-12.0") < 0);
        assertEquals(0, LibrarySearch.compareVersions("cuda-12.4", "cuda-12.4"));
    }
}
