package io.specwatch.javaagent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.specwatch.PythonEnv;

/**
 * A DJL user's project of its own: its pom.xml holds the README's dependency block, its training
 * program the README's attach snippet, both read from README.md as they are. It is built with
 * Maven, offline, against specwatch as `mvn install` puts it into a local repository (the build
 * installs it into target/installed-repository, copied here into a fresh local repository; every
 * other artifact comes from the build's own local repository, ~/.m2, through a file:// mirror,
 * which is only read), then run; its /metrics are scraped.
 */
class ConsumerProjectIT {

    private static final Duration LONG = Duration.ofMinutes(5);
    /** The port the README's snippet binds. */
    private static final int README_PORT = 9464;

    @TempDir
    Path dir;

    @Test
    void theReadmeBlocksBuildAndRunAProjectOfItsOwn() throws Exception {
        String readme = Files.readString(PythonEnv.repositoryRoot().resolve("README.md"));
        String library = readme.substring(readme.indexOf("## Attach it in code: the library"));
        String dependencies = block(library, "xml");
        String snippet = block(library, "java");

        // the block names the versions this build is (so it cannot fall behind the pom)
        assertTrue(dependencies.contains("<artifactId>specwatch-agent</artifactId>\n    <version>" + System.getProperty("specwatch.version") + "</version>"),
                dependencies);
        assertTrue(dependencies.contains("<artifactId>pytorch-engine</artifactId>\n    <version>" + System.getProperty("djl.version") + "</version>"));
        assertTrue(dependencies.contains("<version>" + System.getProperty("pytorch.native.version") + "-" + System.getProperty("djl.version") + "</version>"));
        assertTrue(dependencies.contains("<artifactId>pytorch-native-cpu</artifactId>\n    <version>" + System.getProperty("pytorch.native.version") + "</version>"));

        Path project = Files.createDirectories(dir.resolve("consumer"));
        Files.writeString(project.resolve("pom.xml"), pom(dependencies));
        Path source = Files.createDirectories(project.resolve("src/main/java/consumer")).resolve("Train.java");
        Files.writeString(source, program(snippet));

        Path local = dir.resolve("local-repository");
        copyTree(Path.of(System.getProperty("specwatch.installed")), local);
        Path settings = dir.resolve("settings.xml");
        Files.writeString(settings, settings(local));
        // offline: Maven reaches no repository but file:// ones (the mirror of the build's local repository)
        Job.Result build = Job.of(List.of("mvn", "-B", "-q", "-o", "-Daether.offline.protocols=file", "-s", settings.toString(), "compile",
                        "org.apache.maven.plugins:maven-dependency-plugin:3.8.1:build-classpath", "-Dmdep.outputFile=classpath.txt"))
                .in(project).run(dir.resolve("logs"), LONG);
        assertEquals(0, build.exit(), build.toString());
        String classPath = project.resolve("target/classes") + ":" + Files.readString(project.resolve("classpath.txt")).strip();
        assertTrue(classPath.contains(local.resolve("io/specwatch/specwatch-agent").toString()), "specwatch from the installed artifacts: " + classPath);
        assertFalse(classPath.contains("byte-buddy"), "the library brings no agent machinery");

        assertPortFree();
        Job.Running running = Job.java("-Dai.djl.offline=true", "-cp", classPath, "consumer.Train").in(project).start(dir.resolve("logs"));
        running.awaitLine(true, l -> l.equals("trained 60 steps"), LONG);
        Scraped metrics = Scraped.parse(Job.get(README_PORT, "/metrics"));
        try (OutputStream stdin = running.stdin()) {
            stdin.write('\n');
        }
        Job.Result r = running.finish(LONG);
        assertEquals(0, r.exit(), r.toString());
        assertEquals(Set.of("01Linear_weight", "03Linear_weight"), metrics.labelValues("spectral_stable_rank", "layer"));
        // every(50) over 60 steps: 0, 1, 2, 4, 8, 16, 32, 50 and the last weights, 60
        assertEquals(9.0, metrics.value("specwatch_snapshots_total", Map.of("model", "my-model")));
        assertEquals(60.0, metrics.value("specwatch_last_snapshot_step", Map.of("model", "my-model")));
        assertEquals(List.of(0L, 1L, 2L, 4L, 8L, 16L, 32L, 50L, 60L), new ArrayList<>(History.read(project.resolve("history.jsonl")).steps()));
        try (Stream<Path> events = Files.list(project.resolve("runs/exp1"))) {
            assertTrue(events.anyMatch(p -> p.getFileName().toString().startsWith("events.out.tfevents.")), "TensorBoard event files");
        }
    }

    /** The first fenced block of {@code language} in {@code text}. */
    static String block(String text, String language) {
        Matcher m = Pattern.compile("```" + language + "\n(.*?)```", Pattern.DOTALL).matcher(text);
        assertTrue(m.find(), "no ```" + language + " block");
        return m.group(1);
    }

    private static String pom(String dependencies) {
        return """
                <?xml version="1.0" encoding="UTF-8"?>
                <project xmlns="http://maven.apache.org/POM/4.0.0">
                  <modelVersion>4.0.0</modelVersion>
                  <groupId>consumer</groupId>
                  <artifactId>consumer</artifactId>
                  <version>1</version>
                  <properties>
                    <maven.compiler.release>17</maven.compiler.release>
                    <project.build.sourceEncoding>UTF-8</project.build.sourceEncoding>
                  </properties>
                """ + dependencies + """
                  <build>
                    <plugins>
                      <plugin><artifactId>maven-compiler-plugin</artifactId><version>3.14.0</version></plugin>
                      <plugin><artifactId>maven-resources-plugin</artifactId><version>3.3.1</version></plugin>
                    </plugins>
                  </build>
                </project>
                """;
    }

    /** A small DJL training job around the README's lines: their imports on top, the rest where the model is trained. */
    private static String program(String snippet) {
        StringBuilder imports = new StringBuilder();
        StringBuilder body = new StringBuilder();
        for (String line : snippet.split("\n")) {
            (line.startsWith("import ") ? imports : body).append(line).append('\n');
        }
        return "package consumer;\n\n" + imports + """
                import ai.djl.Model;
                import ai.djl.ndarray.NDArray;
                import ai.djl.ndarray.NDList;
                import ai.djl.ndarray.NDManager;
                import ai.djl.ndarray.types.DataType;
                import ai.djl.ndarray.types.Shape;
                import ai.djl.nn.Activation;
                import ai.djl.nn.SequentialBlock;
                import ai.djl.nn.core.Linear;
                import ai.djl.training.DefaultTrainingConfig;
                import ai.djl.training.EasyTrain;
                import ai.djl.training.Trainer;
                import ai.djl.training.dataset.Batch;
                import ai.djl.training.loss.Loss;

                public final class Train {
                    public static void main(String[] args) throws Exception {
                        try (Model model = Model.newInstance("consumer"); NDManager manager = NDManager.newBaseManager()) {
                            model.setBlock(new SequentialBlock().add(Linear.builder().setUnits(32).build()).add(Activation::relu)
                                    .add(Linear.builder().setUnits(4).build()));
                            DefaultTrainingConfig trainingConfig = new DefaultTrainingConfig(Loss.softmaxCrossEntropyLoss());
                """ + body + """
                            NDArray teacher = manager.randomNormal(new Shape(16, 4));
                            try (Trainer trainer = model.newTrainer(trainingConfig)) {
                                trainer.initialize(new Shape(32, 16));
                                for (int step = 0; step < 60; step++) {
                                    try (NDManager scope = manager.newSubManager()) {
                                        NDArray x = scope.randomNormal(new Shape(32, 16));
                                        NDArray y = x.matMul(teacher).argMax(1).toType(DataType.FLOAT32, false);
                                        try (Batch batch = new Batch(scope, new NDList(x), new NDList(y), 1, null, null, step, 60)) {
                                            EasyTrain.trainBatch(trainer, batch);
                                            trainer.step();
                                        }
                                    }
                                }
                            }
                            monitor.awaitIdle(java.time.Duration.ofMinutes(2));
                            System.out.println("trained 60 steps");
                            System.in.read();
                            monitor.close();
                            server.close();
                        }
                    }
                }
                """;
    }

    /** A fresh local repository; every remote (plugins included) is this build's local repository, read through file://. */
    private static String settings(Path local) {
        Path home = Path.of(System.getProperty("maven.local.repository", System.getProperty("user.home") + "/.m2/repository"));
        return """
                <settings>
                  <localRepository>%s</localRepository>
                  <mirrors>
                    <mirror><id>home-m2</id><mirrorOf>*</mirrorOf><url>%s</url></mirror>
                  </mirrors>
                </settings>
                """.formatted(local, home.toUri());
    }

    private static void copyTree(Path from, Path to) throws IOException {
        assertTrue(Files.isDirectory(from.resolve("io/specwatch/specwatch-agent")), from + " holds no installed specwatch: the build installs it before the tests");
        try (Stream<Path> all = Files.walk(from)) {
            for (Path p : all.toList()) {
                Path target = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(p, target);
                }
            }
        }
    }

    private static void assertPortFree() {
        try (ServerSocket probe = new ServerSocket(README_PORT, 1, InetAddress.getLoopbackAddress())) {
            assertTrue(probe.isBound());
        } catch (IOException e) {
            throw new AssertionError("port " + README_PORT + ", which the README's snippet binds, is taken by another process: stop it and rerun", e);
        }
    }
}
