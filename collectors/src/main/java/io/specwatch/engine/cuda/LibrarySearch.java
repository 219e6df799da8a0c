package io.specwatch.engine.cuda;

import java.io.File;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Where the CUDA libraries are looked for, in order, and which file names count:
 * <ol>
 *   <li>{@code SPECWATCH_CUDA_LIBS}, a list of folders separated by {@code :};</li>
 *   <li>{@code LD_LIBRARY_PATH};</li>
 *   <li>{@code CUDA_HOME} and {@code CUDA_PATH} ({@code lib64}, {@code lib});</li>
 *   <li>Python environments — {@code $VIRTUAL_ENV}, {@code $CONDA_PREFIX}, {@code ~/.local},
 *       {@code PYTHONPATH}, {@code /usr/local}, {@code /usr}, {@code /opt/conda}, {@code ~/miniconda3},
 *       {@code ~/anaconda3}, {@code ~/.pyenv/versions/*}: the
 *       {@code site-packages/nvidia/*}{@code /lib} folders that pip's {@code nvidia-cublas-cu12},
 *       {@code nvidia-cusolver-cu12}, {@code nvidia-cuda-runtime-cu12} (and the CUDA 13 packages,
 *       {@code nvidia/cu13/lib}) install, which every PyTorch GPU install brings;</li>
 *   <li>the usual system places: {@code /usr/local/cuda/lib64}, {@code /usr/local/cuda-*}{@code /lib64}
 *       (newest first), {@code /usr/lib/<arch>-linux-gnu}, {@code /usr/lib64}, {@code /usr/lib},
 *       {@code /usr/lib/wsl/lib}.</li>
 * </ol>
 * A library is a file with the versioned name (soname) of one CUDA major version, e.g.
 * {@code libcublas.so.12}, or that name with more version digits ({@code libcublas.so.12.4.5.8}).
 */
public final class LibrarySearch {

    /** A folder on the search list, and why it is there. */
    public record Place(Path directory, String origin) {
    }

    /**
     * What the search reads from the process.
     *
     * @param variables    environment variables
     * @param home         the user's home folder
     * @param arch         {@code x86_64} or {@code aarch64}
     * @param systemPlaces false: only {@code SPECWATCH_CUDA_LIBS} counts (no other variable, no
     *                     system folder, no system loader); for tests that must not see this machine's CUDA
     */
    public record Environment(Map<String, String> variables, Path home, String arch, boolean systemPlaces) {

        /** Property that overrides {@code SPECWATCH_CUDA_LIBS} (same meaning; for tests and launchers). */
        public static final String LIBS_PROPERTY = "specwatch.cuda.libs";
        /** Property that, set to {@code false}, limits the search to {@code SPECWATCH_CUDA_LIBS}. */
        public static final String SYSTEM_PROPERTY = "specwatch.cuda.systemSearch";

        /** This process's environment, with the two properties above applied. */
        public static Environment current() {
            Map<String, String> variables = new LinkedHashMap<>(System.getenv());
            String libs = System.getProperty(LIBS_PROPERTY);
            if (libs != null) {
                variables.put(LIBS_VARIABLE, libs);
            }
            boolean system = !"false".equalsIgnoreCase(System.getProperty(SYSTEM_PROPERTY, "true"));
            return new Environment(variables, Path.of(System.getProperty("user.home", "/")), normalisedArch(), system);
        }

        String get(String name) {
            String v = variables.get(name);
            return v == null || v.isBlank() ? null : v;
        }
    }

    /** The environment variable with the user's own library folders. */
    public static final String LIBS_VARIABLE = "SPECWATCH_CUDA_LIBS";

    private LibrarySearch() {
    }

    /** The existing folders to search, in order, each once. */
    public static List<Place> places(Environment env) {
        Map<Path, Place> out = new LinkedHashMap<>();
        pathList(out, env.get(LIBS_VARIABLE), LIBS_VARIABLE);
        if (!env.systemPlaces()) {
            return List.copyOf(out.values());
        }
        pathList(out, env.get("LD_LIBRARY_PATH"), "LD_LIBRARY_PATH");
        for (String variable : List.of("CUDA_HOME", "CUDA_PATH")) {
            String home = env.get(variable);
            if (home != null) {
                add(out, Path.of(home, "lib64"), variable);
                add(out, Path.of(home, "lib"), variable);
            }
        }
        List<Path> prefixes = new ArrayList<>();
        for (String variable : List.of("VIRTUAL_ENV", "CONDA_PREFIX")) {
            String prefix = env.get(variable);
            if (prefix != null) {
                prefixes.add(Path.of(prefix));
            }
        }
        prefixes.add(env.home().resolve(".local"));
        for (Path prefix : prefixes) {
            for (Path site : sitePackages(prefix)) {
                pythonPackages(out, site, "Python environment " + prefix);
            }
        }
        String pythonPath = env.get("PYTHONPATH");
        if (pythonPath != null) {
            for (String entry : pythonPath.split(File.pathSeparator)) {
                if (!entry.isBlank()) {
                    pythonPackages(out, Path.of(entry), "PYTHONPATH");
                }
            }
        }
        List<Path> usual = new ArrayList<>(List.of(Path.of("/usr/local"), Path.of("/usr"), Path.of("/opt/conda"),
                env.home().resolve("miniconda3"), env.home().resolve("anaconda3")));
        usual.addAll(children(env.home().resolve(".pyenv/versions"), "*", true));
        for (Path prefix : usual) {
            for (Path site : sitePackages(prefix)) {
                pythonPackages(out, site, "Python environment " + prefix);
            }
        }
        String target = "aarch64".equals(env.arch()) ? "sbsa-linux" : "x86_64-linux";
        add(out, Path.of("/usr/local/cuda/lib64"), "CUDA toolkit");
        add(out, Path.of("/usr/local/cuda/targets", target, "lib"), "CUDA toolkit");
        for (Path versioned : children(Path.of("/usr/local"), "cuda-*", true)) {
            add(out, versioned.resolve("lib64"), "CUDA toolkit");
            add(out, versioned.resolve("targets").resolve(target).resolve("lib"), "CUDA toolkit");
        }
        add(out, Path.of("/usr/lib", env.arch() + "-linux-gnu"), "system");
        add(out, Path.of("/usr/lib64"), "system");
        add(out, Path.of("/usr/lib"), "system");
        add(out, Path.of("/usr/lib/wsl/lib"), "system (WSL)");
        return List.copyOf(out.values());
    }

    /**
     * The first file for {@code soname} in the folders, in their order: the name itself, else the
     * name with more version digits (the highest).
     */
    public static Optional<Path> find(List<Path> directories, String soname) {
        for (Path dir : directories) {
            Path exact = dir.resolve(soname);
            if (Files.isRegularFile(exact)) {
                return Optional.of(exact);
            }
            List<Path> longer = children(dir, soname + ".*", true);
            for (Path candidate : longer) {
                if (Files.isRegularFile(candidate)) {
                    return Optional.of(candidate);
                }
            }
        }
        return Optional.empty();
    }

    /** The folders of some places. */
    public static List<Path> directories(List<Place> places) {
        List<Path> out = new ArrayList<>(places.size());
        for (Place p : places) {
            out.add(p.directory());
        }
        return out;
    }

    static String normalisedArch() {
        String arch = System.getProperty("os.arch", "").toLowerCase(Locale.ROOT);
        return switch (arch) {
            case "amd64", "x86_64" -> "x86_64";
            case "aarch64", "arm64" -> "aarch64";
            default -> arch;
        };
    }

    private static void pathList(Map<Path, Place> out, String list, String origin) {
        if (list == null) {
            return;
        }
        for (String entry : list.split(File.pathSeparator)) {
            if (entry.isBlank()) {
                continue;
            }
            Path p = Path.of(entry.trim());
            // a library file named directly stands for its folder
            add(out, Files.isRegularFile(p) && p.getParent() != null ? p.getParent() : p, origin);
        }
    }

    /** pip's CUDA packages: nvidia/<package>/lib (CUDA 12: cublas, cusolver, ...; CUDA 13: cu13), and torch/lib. */
    private static void pythonPackages(Map<Path, Place> out, Path site, String origin) {
        for (Path pkg : children(site.resolve("nvidia"), "*", true)) {
            add(out, pkg.resolve("lib"), origin);
        }
        add(out, site.resolve("torch").resolve("lib"), origin);
    }

    private static List<Path> sitePackages(Path prefix) {
        List<Path> out = new ArrayList<>();
        for (Path python : children(prefix.resolve("lib"), "python3*", true)) {
            for (String name : List.of("site-packages", "dist-packages")) {
                Path site = python.resolve(name);
                if (Files.isDirectory(site)) {
                    out.add(site);
                }
            }
        }
        Path debian = prefix.resolve("lib/python3/dist-packages");
        if (Files.isDirectory(debian)) {
            out.add(debian);
        }
        return out;
    }

    private static void add(Map<Path, Place> out, Path dir, String origin) {
        Path normal = dir.toAbsolutePath().normalize();
        if (!out.containsKey(normal) && Files.isDirectory(normal)) {
            out.put(normal, new Place(normal, origin));
        }
    }

    /** Children matching a glob, names in descending natural-number order when {@code descending} (cu13 before cu12). */
    private static List<Path> children(Path dir, String glob, boolean descending) {
        List<Path> out = new ArrayList<>();
        if (!Files.isDirectory(dir)) {
            return out;
        }
        try (DirectoryStream<Path> stream = Files.newDirectoryStream(dir, glob)) {
            stream.forEach(out::add);
        } catch (IOException | SecurityException e) {
            return out;
        }
        Comparator<Path> byName = Comparator.comparing(p -> p.getFileName().toString(), LibrarySearch::compareVersions);
        out.sort(descending ? byName.reversed() : byName);
        return out;
    }

    /** Compares names with embedded numbers by value: cuda-12.10 after cuda-12.9. */
    static int compareVersions(String a, String b) {
        int i = 0;
        int j = 0;
        while (i < a.length() && j < b.length()) {
            char ca = a.charAt(i);
            char cb = b.charAt(j);
            if (Character.isDigit(ca) && Character.isDigit(cb)) {
                int si = i;
                int sj = j;
                while (i < a.length() && Character.isDigit(a.charAt(i))) {
                    i++;
                }
                while (j < b.length() && Character.isDigit(b.charAt(j))) {
                    j++;
                }
                int c = new java.math.BigInteger(a.substring(si, i)).compareTo(new java.math.BigInteger(b.substring(sj, j)));
                if (c != 0) {
                    return c;
                }
            } else {
                if (ca != cb) {
                    return Character.compare(ca, cb);
                }
                i++;
                j++;
            }
        }
        return Integer.compare(a.length() - i, b.length() - j);
    }
}
