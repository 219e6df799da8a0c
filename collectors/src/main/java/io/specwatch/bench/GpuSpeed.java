package io.specwatch.bench;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.specwatch.engine.DenseMatrix;
import io.specwatch.engine.SpectrumEngine;
import io.specwatch.engine.SpectrumRequest;

/**
 * Speed of the engines under test, each section written as soon as it is done, most important
 * first: the first call (CUDA context, handles), 2048² per matrix, the 7B-shaped set (32 blocks
 * of 4 × 4096², 2 × 11008 × 4096, 1 × 4096 × 11008: 224 matrices, 26 GB in float32), top-k
 * vectors, a size sweep, the 7B set on 2 and 4 engines at once, and float64.
 *
 * <p>The matrices are generated on the host (uniform entries, several threads, a few matrices
 * ahead, arrays recycled) because the engine's input is a host matrix: the times include the
 * upload, as they do for a real snapshot. The reference on the same GPU is timed by
 * {@code gpu_check.py speed}.
 */
final class GpuSpeed {

    record Shape(int rows, int cols) {
        long elements() {
            return (long) rows * cols;
        }
    }

    private GpuSpeed() {
    }

    /** The 7 matrices of one transformer block of a 7B model (LLaMA-7B: attention 4096², MLP 4096 ↔ 11008). */
    static List<Shape> block(boolean small) {
        int d = small ? 64 : 4096;
        int f = small ? 172 : 11008;
        return List.of(new Shape(d, d), new Shape(d, d), new Shape(d, d), new Shape(d, d), new Shape(f, d), new Shape(f, d), new Shape(d, f));
    }

    /** One section of the run: what it measured, or why it could not. */
    private interface Section {
        void run(ObjectNode root) throws Exception;
    }

    static void run(GpuCheck.Engines engines, ResultFile result, long deadline, boolean small) {
        ObjectNode root = result.root();
        root.put("small", small);
        int blocks = small ? 2 : 32;
        int per = small ? 128 : 2048;
        SpectrumEngine f32 = engines.byLabel.get("float32");
        SpectrumEngine f64 = engines.byLabel.get("float64");
        root.put("processors", Runtime.getRuntime().availableProcessors());
        ArrayNode errors = root.putArray("section_errors");
        Map<String, Section> sections = new LinkedHashMap<>();
        sections.put("first_call", r -> {
            // the first call pays the CUDA context, the library handles and the first kernels' loading
            long start = System.nanoTime();
            f32.decompose(HostMatrices.uniform(new Shape(256, 256), 1), SpectrumRequest.eigenvaluesOnly());
            r.put("first_call_seconds", GpuCheck.seconds(start));
            f64.decompose(HostMatrices.uniform(new Shape(256, 256), 2), SpectrumRequest.eigenvaluesOnly());
        });
        sections.put("per_matrix", r -> r.set("per_matrix", perMatrix(f32, new Shape(per, per), small ? 5 : 11, deadline)));
        sections.put("set_7b", r -> r.set("set_7b", modelSet(List.of(f32), block(small), blocks, deadline)));
        sections.put("vectors", r -> {
            int side = small ? 256 : 4096;
            ObjectNode vectors = r.putObject("vectors");
            vectors.put("shape", side + "x" + side);
            Map<String, SpectrumRequest> requests = new LinkedHashMap<>();
            requests.put("values", SpectrumRequest.eigenvaluesOnly());
            requests.put("values_and_10_vectors", new SpectrumRequest(true, 10));
            requests.put("top_10", SpectrumRequest.topK(10));
            requests.put("top_1", SpectrumRequest.topK(1));
            for (Map.Entry<String, SpectrumRequest> q : requests.entrySet()) {
                if (GpuCheck.pastDeadline(deadline)) {
                    vectors.put("stopped", "deadline");
                    break;
                }
                vectors.put(q.getKey() + "_median_seconds", median(f32, new Shape(side, side), q.getValue(), 3));
                result.save();
            }
        });
        sections.put("sizes_float32", r -> sweep(r.putArray("sizes_float32"), f32,
                small ? new int[] {64, 128, 256} : new int[] {64, 128, 256, 512, 1024, 2048, 4096, 8192}, deadline, result));
        sections.put("set_7b_parallel", r -> {
            ArrayNode parallel = r.putArray("set_7b_parallel");
            for (int threads : new int[] {2, 4}) {
                if (GpuCheck.pastDeadline(deadline)) {
                    break;
                }
                List<SpectrumEngine> many = new ArrayList<>();
                for (int t = 0; t < threads; t++) {
                    SpectrumEngine e = engines.another("float32");
                    e.decompose(HostMatrices.uniform(new Shape(256, 256), 3), SpectrumRequest.eigenvaluesOnly()); // warm: not timed
                    many.add(e);
                }
                parallel.add(modelSet(many, block(small), blocks, deadline));
                for (SpectrumEngine e : many) {
                    if (e != f32 && e instanceof AutoCloseable c) {
                        c.close();
                    }
                }
                result.save();
            }
        });
        sections.put("sizes_float64", r -> sweep(r.putArray("sizes_float64"), f64,
                small ? new int[] {64, 128} : new int[] {64, 256, 1024, 2048, 4096}, deadline, result));
        for (Map.Entry<String, Section> section : sections.entrySet()) {
            if (GpuCheck.pastDeadline(deadline)) {
                root.put("stopped", "deadline before " + section.getKey());
                break;
            }
            try {
                section.getValue().run(root);
            } catch (Exception | Error e) {
                errors.add(section.getKey() + ": " + e);
                root.put("status", "partial");
            }
            result.save();
        }
    }

    private static void sweep(ArrayNode out, SpectrumEngine engine, int[] sides, long deadline, ResultFile result) {
        for (int n : sides) {
            if (GpuCheck.pastDeadline(deadline)) {
                break;
            }
            ObjectNode s = out.addObject();
            s.put("n", n);
            s.put("median_seconds", median(engine, new Shape(n, n), SpectrumRequest.eigenvaluesOnly(), 3));
            result.save();
        }
    }

    private static ObjectNode perMatrix(SpectrumEngine engine, Shape shape, int runs, long deadline) {
        ObjectNode out = ResultFile.object();
        out.put("shape", shape.rows() + "x" + shape.cols());
        for (int i = 0; i < 2; i++) {
            engine.decompose(HostMatrices.uniform(shape, 100 + i), SpectrumRequest.eigenvaluesOnly());
        }
        double[] times = new double[runs];
        int done = 0;
        for (; done < runs && !GpuCheck.pastDeadline(deadline); done++) {
            DenseMatrix m = HostMatrices.uniform(shape, 200 + done);
            long start = System.nanoTime();
            engine.decompose(m, SpectrumRequest.eigenvaluesOnly());
            times[done] = GpuCheck.seconds(start);
        }
        double[] measured = Arrays.copyOf(times, done);
        ArrayNode all = out.putArray("seconds");
        for (double t : measured) {
            all.add(t);
        }
        out.put("median_seconds", median(measured));
        return out;
    }

    private static double median(SpectrumEngine engine, Shape shape, SpectrumRequest request, int runs) {
        double[] t = new double[runs];
        for (int i = 0; i < runs; i++) {
            DenseMatrix m = HostMatrices.uniform(shape, 300 + i);
            long start = System.nanoTime();
            engine.decompose(m, request);
            t[i] = GpuCheck.seconds(start);
        }
        return median(t);
    }

    static double median(double[] values) {
        if (values.length == 0) {
            return Double.NaN;
        }
        double[] s = values.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }

    /**
     * The model-shaped set through {@code engines} (one thread each), matrices generated a few
     * ahead by a producer thread. Stops at the deadline and says how far it got.
     */
    static ObjectNode modelSet(List<SpectrumEngine> engines, List<Shape> block, int blocks, long deadline) throws InterruptedException {
        int total = block.size() * blocks;
        BlockingQueue<DenseMatrix> ready = new ArrayBlockingQueue<>(2 + engines.size());
        HostMatrices.Recycler recycler = new HostMatrices.Recycler();
        Thread producer = new Thread(() -> {
            try {
                for (int i = 0; i < total; i++) {
                    Shape s = block.get(i % block.size());
                    ready.put(HostMatrices.uniform(s, 1000 + i, recycler.take(s.elements())));
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "gpu-check-generator");
        producer.setDaemon(true);
        producer.start();
        AtomicInteger taken = new AtomicInteger();
        Map<String, double[]> byShape = new ConcurrentHashMap<>();
        double[] engineSeconds = new double[engines.size()];
        double[] waitSeconds = new double[engines.size()];
        ConcurrentLinkedQueue<String> errors = new ConcurrentLinkedQueue<>();
        long wallStart = System.nanoTime();
        List<Thread> workers = new ArrayList<>();
        for (int t = 0; t < engines.size(); t++) {
            int id = t;
            SpectrumEngine engine = engines.get(t);
            Thread worker = new Thread(() -> {
                while (taken.getAndIncrement() < total && !GpuCheck.pastDeadline(deadline)) {
                    try {
                        long w = System.nanoTime();
                        DenseMatrix m = ready.poll(120, TimeUnit.SECONDS);
                        waitSeconds[id] += GpuCheck.seconds(w);
                        if (m == null) {
                            errors.add("no matrix from the generator within 120 s");
                            return;
                        }
                        long start = System.nanoTime();
                        engine.decompose(m, SpectrumRequest.eigenvaluesOnly());
                        double s = GpuCheck.seconds(start);
                        engineSeconds[id] += s;
                        byShape.merge(m.rows() + "x" + m.cols(), new double[] {1, s}, (a, b) -> new double[] {a[0] + b[0], a[1] + b[1]});
                        recycler.give(m.values());
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return;
                    } catch (RuntimeException e) {
                        errors.add(e.toString());
                        return;
                    }
                }
            }, "gpu-check-engine-" + t);
            workers.add(worker);
            worker.start();
        }
        for (Thread w : workers) {
            w.join();
        }
        double wall = GpuCheck.seconds(wallStart);
        producer.interrupt();
        ObjectNode out = ResultFile.object();
        out.put("engines", engines.size());
        int done = 0;
        ObjectNode shapes = out.putObject("by_shape");
        for (Map.Entry<String, double[]> e : new LinkedHashMap<>(byShape).entrySet()) {
            ObjectNode s = shapes.putObject(e.getKey());
            s.put("matrices", (int) e.getValue()[0]);
            s.put("engine_seconds", e.getValue()[1]);
            done += (int) e.getValue()[0];
        }
        out.put("matrices", done);
        out.put("of", total);
        out.put("wall_seconds", wall);
        out.put("engine_seconds", Arrays.stream(engineSeconds).sum());
        out.put("waiting_for_generator_seconds", Arrays.stream(waitSeconds).sum());
        if (done < total) {
            out.put("complete", false);
            out.put("wall_seconds_scaled_to_all", wall * total / Math.max(1, done));
        } else {
            out.put("complete", true);
        }
        ArrayNode err = out.putArray("errors");
        errors.forEach(err::add);
        return out;
    }

    /** Host matrices with uniform entries in [-1, 1), filled by several threads; deterministic for a seed. */
    static final class HostMatrices {
        private static final int CHUNK = 1 << 20;

        private HostMatrices() {
        }

        static DenseMatrix uniform(Shape s, long seed) {
            return uniform(s, seed, null);
        }

        static DenseMatrix uniform(Shape s, long seed, float[] reuse) {
            float[] values = reuse != null && reuse.length == s.elements() ? reuse : new float[Math.toIntExact(s.elements())];
            int chunks = (values.length + CHUNK - 1) / CHUNK;
            IntStream.range(0, chunks).parallel().forEach(c -> {
                SplittableRandom random = new SplittableRandom(seed * 1_000_003L + c);
                int end = Math.min(values.length, (c + 1) * CHUNK);
                for (int i = c * CHUNK; i < end; i++) {
                    values[i] = (random.nextInt() >> 8) * 0x1p-23f;
                }
            });
            return new DenseMatrix(s.rows(), s.cols(), values);
        }

        /** Arrays handed back after use, by length, for the generator to fill again (26 GB need not be allocated). */
        static final class Recycler {
            private final Map<Long, ConcurrentLinkedQueue<float[]>> free = new ConcurrentHashMap<>();

            float[] take(long length) {
                ConcurrentLinkedQueue<float[]> q = free.get(length);
                return q == null ? null : q.poll();
            }

            void give(float[] array) {
                free.computeIfAbsent((long) array.length, k -> new ConcurrentLinkedQueue<>()).add(array);
            }
        }
    }
}
