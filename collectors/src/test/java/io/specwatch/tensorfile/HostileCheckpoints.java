package io.specwatch.tensorfile;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;

import io.specwatch.PythonEnv;

/**
 * The fuzz corpus of malformed and hostile checkpoints, generated (never committed): every format's
 * reproducers from issue 16 (sparse 46000² arrays, a (2·10⁹, 1) array, a 42000² F16 file, a
 * 1.5 GiB npy header, a 2³¹+100-byte v2 header, the safetensors files the reference refuses) and
 * hostile pickles (globals outside the allow-list written by the real torch.save, absurd sizes,
 * deep nesting, a huge memo, storages past the archive, truncated and re-compressed zips). Each
 * case says which words its one-line refusal must contain.
 */
public final class HostileCheckpoints {

    /** One file or directory, the words its refusal must contain, and extra {@code analyze} arguments. */
    public record Case(String name, Path path, String reason, List<String> args) {
        @Override
        public String toString() {
            return name;
        }
    }

    private HostileCheckpoints() {
    }

    /** Writes the whole corpus under {@code dir}; {@code marker} is the file a hostile pickle would create. */
    public static List<Case> write(Path dir, Path marker) throws IOException, InterruptedException {
        Files.createDirectories(dir);
        List<Case> cases = new ArrayList<>(memorySized(dir));
        npy(dir, cases);
        safetensors(dir, cases);
        torch(dir, marker, cases);
        npz(dir, cases);
        directories(dir, cases);
        return cases;
    }

    /** The cases whose naive reading would exhaust the heap (for a small-heap process). */
    public static List<Case> memorySized(Path dir) throws IOException {
        Files.createDirectories(dir);
        List<Case> cases = new ArrayList<>();
        String over = "more than --max-elements";
        cases.add(new Case("npy_sparse_46000", sparseNpy(dir.resolve("sparse46000.npy"), "<f4", 46000, 46000), over, List.of()));
        cases.add(new Case("npy_2e9_by_1", sparseNpy(dir.resolve("tall.npy"), "<f4", 2_000_000_000L, 1), over, List.of()));
        cases.add(new Case("st_sparse_46000", sparseSafetensors(dir.resolve("sparse46000.safetensors"), "F32", 46000, 46000), over, List.of()));
        cases.add(new Case("st_f16_42000", sparseSafetensors(dir.resolve("f16_42000.safetensors"), "F16", 42000, 42000), over, List.of()));
        cases.add(new Case("npy_header_1_5GiB", sparseHeader(dir.resolve("header1_5GiB.npy"), 3, 1_500_000_000L), "max_header_size", List.of()));
        cases.add(new Case("npy_v2_header_2g", sparseHeader(dir.resolve("header2g.npy"), 2, (1L << 31) + 100), "max_header_size", List.of()));
        return cases;
    }

    /** The same arrays with --max-elements raised past them: now the heap check must refuse them. */
    public static List<Case> overHeap(Path dir) throws IOException {
        List<Case> cases = new ArrayList<>();
        for (Case c : memorySized(dir)) {
            if (c.reason().startsWith("more than")) {
                cases.add(new Case(c.name() + "_over_heap", c.path(), "of heap", List.of("--max-elements", "2147483000")));
            }
        }
        return cases;
    }

    private static void npy(Path dir, List<Case> cases) throws IOException {
        String ok = "{'descr': '<f4', 'fortran_order': False, 'shape': (30, 20), }";
        cases.add(npyCase(dir, "npy_truncated", ReferenceAgreementTest.npy(1, ok, 2399), "truncated"));
        cases.add(npyCase(dir, "npy_object", ReferenceAgreementTest.npy(1, "{'descr': '|O', 'fortran_order': False, 'shape': (3,)}", 24), "Python objects"));
        cases.add(npyCase(dir, "npy_deep", ReferenceAgreementTest.npy(1, "{'descr': '<f4', 'fortran_order': False, 'shape': "
                + "(".repeat(3000) + ")".repeat(3000) + "}", 48), "nested deeper"));
        cases.add(npyCase(dir, "npy_extra_key", ReferenceAgreementTest.npy(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (3,), 'x': 1}", 12), "keys"));
        byte[] version = ReferenceAgreementTest.npy(1, ok, 2400);
        version[6] = 9;
        cases.add(npyCase(dir, "npy_version_9", version, "version"));
    }

    private static Case npyCase(Path dir, String name, byte[] bytes, String reason) throws IOException {
        Path p = dir.resolve(name + ".npy");
        Files.write(p, bytes);
        return new Case(name, p, reason, List.of());
    }

    private static void safetensors(Path dir, List<Case> cases) throws IOException {
        String w = "{\"w\":{\"dtype\":\"F32\",\"shape\":[4,3],\"data_offsets\":[0,48]}}";
        byte[] d = new byte[48];
        Map<String, Object[]> c = new LinkedHashMap<>();
        c.put("st_trailing_garbage", new Object[] {ReferenceAgreementTest.st(w, "xyz", d), "trailing characters"});
        c.put("st_float_offsets", new Object[] {ReferenceAgreementTest.st(w.replace("[0,48]", "[0.0,48.0]"), "", d), "must hold integers"});
        c.put("st_overlap", new Object[] {ReferenceAgreementTest.st("{\"a\":{\"dtype\":\"F32\",\"shape\":[4,3],\"data_offsets\":[0,48]},"
                + "\"b\":{\"dtype\":\"F32\",\"shape\":[2,3],\"data_offsets\":[24,48]}}", "", d), "overlap"});
        c.put("st_gap_before", new Object[] {ReferenceAgreementTest.st("{\"w\":{\"dtype\":\"F32\",\"shape\":[2,3],\"data_offsets\":[24,48]}}", "", d), "gap"});
        c.put("st_duplicate_names", new Object[] {ReferenceAgreementTest.st("{\"w\":{\"dtype\":\"F32\",\"shape\":[2,3],\"data_offsets\":[0,24]},"
                + "\"w\":{\"dtype\":\"F32\",\"shape\":[2,3],\"data_offsets\":[24,48]}}", "", d), "duplicate tensor name"});
        c.put("st_trailing_data", new Object[] {ReferenceAgreementTest.st(w, "", new byte[60]), "after the last tensor"});
        c.put("st_header_length", new Object[] {ReferenceAgreementTest.Arrays8.withLength(ReferenceAgreementTest.st(w, "", d), Long.MAX_VALUE), "limit"});
        c.put("st_deep_json", new Object[] {ReferenceAgreementTest.st("{\"w\":{\"x\":" + "[".repeat(100_000) + "]".repeat(100_000)
                + ",\"dtype\":\"F32\",\"shape\":[4,3],\"data_offsets\":[0,48]}}", "", d), "nesting"});
        c.put("st_many_tensors", new Object[] {manyTensors(200_001), "more than 200000 tensors"});
        for (var e : c.entrySet()) {
            Path p = dir.resolve(e.getKey() + ".safetensors");
            Files.write(p, (byte[]) e.getValue()[0]);
            cases.add(new Case(e.getKey(), p, (String) e.getValue()[1], List.of()));
        }
    }

    private static byte[] manyTensors(int n) {
        StringBuilder h = new StringBuilder("{");
        for (int i = 0; i < n; i++) {
            h.append(i == 0 ? "" : ",").append("\"t").append(i).append("\":{\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[0,0]}");
        }
        return ReferenceAgreementTest.st(h.append('}').toString(), "", new byte[0]);
    }

    private static void torch(Path dir, Path marker, List<Case> cases) throws IOException, InterruptedException {
        Path real = dir.resolve("real");
        String script;
        try (InputStream in = HostileCheckpoints.class.getResourceAsStream("write_hostile.py")) {
            script = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        PythonEnv.runOrFail(script, dir, 180, real.toString(), marker.toString());
        cases.add(new Case("torch_os_system", real.resolve("torch_os_system.pt"), "os.system", List.of()));
        cases.add(new Case("torch_eval", real.resolve("torch_eval.pt"), "builtins.eval", List.of()));
        cases.add(new Case("torch_device", real.resolve("torch_device.pt"), "refused global 'torch.device'", List.of()));
        cases.add(new Case("torch_legacy", real.resolve("torch_legacy.pt"), "_use_new_zipfile_serialization=True", List.of()));
        cases.add(new Case("torchscript", real.resolve("torchscript.pt"), "TorchScript", List.of()));
        cases.add(new Case("torch_bare_pickle", real.resolve("torch_bare_pickle.pt"), "bare pickle", List.of()));
        cases.add(new Case("training_args", real.resolve("trainer-state-only/training_args.bin"), "not model weights", List.of()));

        Map<String, byte[]> base = members(RealCheckpoints.file("mlp.pt"));
        String pkl = base.keySet().stream().filter(n -> n.endsWith("/data.pkl")).findFirst().orElseThrow();
        Map<String, byte[]> pickles = new LinkedHashMap<>();
        long[] shape = {3, 4};
        long[] stride = {4, 1};
        pickles.put("torch_missing_storage", tensorPickle("99", 12, 0, shape, stride));
        pickles.put("torch_storage_claims_more", tensorPickle("0", 1_000_000_000_000L, 0, shape, stride));
        pickles.put("torch_view_past_storage", tensorPickle("0", 12, 0, new long[] {1000, 1000}, new long[] {1000, 1}));
        pickles.put("torch_negative_stride", tensorPickle("0", 12, 0, shape, new long[] {-4, 1}));
        pickles.put("torch_marks_deep", PickleBytes.protocol2().repeat(1000, '(').op('.').bytes());
        pickles.put("torch_tuples_deep", PickleBytes.protocol2().op(')').repeat(1000, 0x85).op('.').bytes());
        pickles.put("torch_lists_deep", PickleBytes.protocol2().repeat(1000, ']').repeat(999, 'a').op('.').bytes());
        PickleBytes memo = PickleBytes.protocol2().op('N');
        for (int i = 0; i <= 1_000_000; i++) {
            memo.op('r').int4(i);
        }
        pickles.put("torch_huge_memo", memo.op('.').bytes());
        pickles.put("torch_many_objects", PickleBytes.protocol2().op(']').repeat(1_100_000, ']', 'a').op('.').bytes());
        pickles.put("torch_shared_explosion", explosion());
        pickles.put("torch_long_string", PickleBytes.protocol2().op('X', 0xf0, 0xff, 0xff, 0xff).op('.').bytes());
        pickles.put("torch_opcode_inst", PickleBytes.protocol2().op('i').op('.').bytes());
        pickles.put("torch_opcode_newobj", PickleBytes.protocol2().global("collections", "OrderedDict").op(')').op(0x81).op('.').bytes());
        pickles.put("torch_no_stop", PickleBytes.protocol2().op('}').bytes());
        pickles.put("torch_underflow", PickleBytes.protocol2().op('a').op('.').bytes());
        pickles.put("torch_memo_unset", PickleBytes.protocol2().op('h', 7).op('.').bytes());
        pickles.put("torch_call_storage", PickleBytes.protocol2().global("torch", "FloatStorage").op(')').op('R').op('.').bytes());
        Map<String, String> reasons = Map.ofEntries(Map.entry("torch_missing_storage", "missing from the archive"),
                Map.entry("torch_storage_claims_more", "claims"), Map.entry("torch_view_past_storage", "reaches byte"),
                Map.entry("torch_negative_stride", "negative"), Map.entry("torch_marks_deep", "marks nested deeper"),
                Map.entry("torch_tuples_deep", "tuples nested deeper"), Map.entry("torch_lists_deep", "nested deeper than 100"),
                Map.entry("torch_huge_memo", "more than 1000000"), Map.entry("torch_many_objects", "more than 1000000 values"),
                Map.entry("torch_shared_explosion", "no model weights"), Map.entry("torch_long_string", "exceeds the limit"),
                Map.entry("torch_opcode_inst", "opcode INST"), Map.entry("torch_opcode_newobj", "opcode NEWOBJ"),
                Map.entry("torch_no_stop", "without STOP"), Map.entry("torch_underflow", "stack underflow"),
                Map.entry("torch_memo_unset", "never stored"), Map.entry("torch_call_storage", "torch.FloatStorage"));
        for (var e : pickles.entrySet()) {
            Map<String, byte[]> m = new LinkedHashMap<>(base);
            m.put(pkl, e.getValue());
            Path p = dir.resolve(e.getKey() + ".pt");
            Files.write(p, zip(m, false));
            cases.add(new Case(e.getKey(), p, reasons.get(e.getKey()), List.of()));
        }
        // a data.pkl over the size limit
        Map<String, byte[]> big = new LinkedHashMap<>(base);
        big.put(pkl, new byte[(64 << 20) + 1]);
        cases.add(write(dir, "torch_pickle_too_big", zip(big, false), "allowed for a pickle"));
        cases.add(write(dir, "torch_recompressed", zip(base, true), "compressed"));
        byte[] good = Files.readAllBytes(RealCheckpoints.file("mlp.pt"));
        cases.add(write(dir, "torch_truncated_half", Arrays.copyOf(good, good.length / 2), "truncated"));
        cases.add(write(dir, "torch_truncated_end", Arrays.copyOf(good, good.length - 10), "truncated"));
        cases.add(write(dir, "torch_encrypted", patchCentral(good, 8, 1), "encrypted"));
        cases.add(write(dir, "torch_method_12", patchCentral(good, 10, 12), "compression method 12"));
        cases.add(write(dir, "torch_member_past_end", patchCentral(good, 42, 0x7fffff00), "outside the archive"));
        cases.add(write(dir, "torch_zip64_locator_out_of_range", zip64Locator(good), "ZIP64"));
    }

    /** Sixty levels of lists each holding the one below twice: 2⁶⁰ paths, 60 containers. */
    private static byte[] explosion() {
        PickleBytes p = PickleBytes.protocol2().op(']').op('q', 0);
        for (int i = 1; i <= 60; i++) {
            p.op(']').op('h', i - 1).op('a').op('h', i - 1).op('a').op('q', i);
        }
        return p.op('.').bytes();
    }

    private static byte[] tensorPickle(String key, long numel, long offset, long[] size, long[] stride) {
        return PickleBytes.protocol2().op('}').tensorItem("w", key, numel, offset, size, stride).op('.').bytes();
    }

    private static void npz(Path dir, List<Case> cases) throws IOException {
        Path real = dir.resolve("real");
        cases.add(new Case("npz_object", real.resolve("npz_object.npz"), "Python objects", List.of()));
        byte[] good = Files.readAllBytes(real.resolve("npz_compressed.npz"));
        byte[] corrupt = good.clone();
        for (int i = 400; i < 2000; i++) {
            corrupt[i] = (byte) (corrupt[i] * 31 + 7);
        }
        cases.add(write(dir, "npz_corrupt_deflate", corrupt, "corrupt compressed data", ".npz"));
        cases.add(write(dir, "npz_truncated", Arrays.copyOf(good, good.length * 2 / 3), "truncated", ".npz"));
        Map<String, byte[]> header = new LinkedHashMap<>();
        byte[] member = ReferenceAgreementTest.npy(2, "{'descr': '<f4', 'fortran_order': False, 'shape': (3,), }", 12);
        ByteBuffer.wrap(member).order(ByteOrder.LITTLE_ENDIAN).putInt(8, (int) ((1L << 31) + 100));
        header.put("w.npy", member);
        cases.add(write(dir, "npz_member_header_2g", zip(header, false), "max_header_size", ".npz"));
    }

    private static void directories(Path dir, List<Case> cases) throws IOException {
        Path traversal = Files.createDirectories(dir.resolve("hf_index_traversal"));
        Files.writeString(traversal.resolve("model.safetensors.index.json"),
                "{\"metadata\":{},\"weight_map\":{\"w\":\"../../../etc/passwd\"}}");
        cases.add(new Case("hf_index_traversal", traversal, "not a file in the directory", List.of()));
        Path missing = Files.createDirectories(dir.resolve("hf_missing_shard"));
        Files.writeString(missing.resolve("model.safetensors.index.json"),
                "{\"metadata\":{},\"weight_map\":{\"w\":\"model-00001-of-00002.safetensors\"}}");
        cases.add(new Case("hf_missing_shard", missing, "missing", List.of()));
        cases.add(new Case("hf_trainer_state_only", dir.resolve("real/trainer-state-only"), "no model weights found", List.of()));
    }

    private static Case write(Path dir, String name, byte[] bytes, String reason) throws IOException {
        return write(dir, name, bytes, reason, ".pt");
    }

    private static Case write(Path dir, String name, byte[] bytes, String reason, String suffix) throws IOException {
        Path p = dir.resolve(name + suffix);
        Files.write(p, bytes);
        return new Case(name, p, reason, List.of());
    }

    /** A .npy header for a shape, then the file extended (sparsely) to the full data size. */
    static Path sparseNpy(Path p, String descr, long rows, long cols) throws IOException {
        byte[] header = ReferenceAgreementTest.npy(1, "{'descr': '" + descr + "', 'fortran_order': False, 'shape': (" + rows + ", " + cols + "), }", 0);
        return sparse(p, header, header.length + rows * cols * (descr.endsWith("2") ? 2 : 4));
    }

    static Path sparseSafetensors(Path p, String dtype, long rows, long cols) throws IOException {
        long bytes = rows * cols * (dtype.equals("F16") ? 2 : 4);
        byte[] header = ReferenceAgreementTest.st("{\"w\":{\"dtype\":\"" + dtype + "\",\"shape\":[" + rows + "," + cols
                + "],\"data_offsets\":[0," + bytes + "]}}", "", new byte[0]);
        return sparse(p, header, header.length + bytes);
    }

    /** An .npy whose header length field says {@code length} and whose file is that long (sparse). */
    static Path sparseHeader(Path p, int version, long length) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN);
        b.put((byte) 0x93).put("NUMPY".getBytes(StandardCharsets.US_ASCII)).put((byte) version).put((byte) 0).putInt((int) length);
        b.put("{'de".getBytes(StandardCharsets.US_ASCII));
        return sparse(p, b.array(), 12 + length + 64);
    }

    private static Path sparse(Path p, byte[] head, long size) throws IOException {
        try (RandomAccessFile f = new RandomAccessFile(p.toFile(), "rw")) {
            f.write(head);
            f.setLength(size);
        }
        return p;
    }

    /** The members of a zip archive, in order. */
    static Map<String, byte[]> members(Path zip) throws IOException {
        Map<String, byte[]> m = new LinkedHashMap<>();
        try (ZipFile z = new ZipFile(zip.toFile())) {
            for (Enumeration<? extends ZipEntry> e = z.entries(); e.hasMoreElements(); ) {
                ZipEntry entry = e.nextElement();
                try (InputStream in = z.getInputStream(entry)) {
                    m.put(entry.getName(), in.readAllBytes());
                }
            }
        }
        return m;
    }

    /** A zip of the members, stored (as torch.save writes) or deflated, by java.util.zip. */
    static byte[] zip(Map<String, byte[]> members, boolean deflate) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZipOutputStream z = new ZipOutputStream(bytes)) {
            for (var e : members.entrySet()) {
                ZipEntry entry = new ZipEntry(e.getKey());
                if (!deflate) {
                    entry.setMethod(ZipEntry.STORED);
                    entry.setSize(e.getValue().length);
                    CRC32 crc = new CRC32();
                    crc.update(e.getValue());
                    entry.setCrc(crc.getValue());
                }
                z.putNextEntry(entry);
                z.write(e.getValue());
                z.closeEntry();
            }
        }
        return bytes.toByteArray();
    }

    /** Writes a 16- or 32-bit value into the first central-directory entry at {@code field}. */
    static byte[] patchCentral(byte[] zip, int field, int value) {
        byte[] b = zip.clone();
        ByteBuffer buf = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i + 4 <= b.length; i++) {
            if (buf.getInt(i) == 0x02014b50) {
                if (field == 42) {
                    buf.putInt(i + field, value);
                } else {
                    buf.putShort(i + field, (short) value);
                }
                return b;
            }
        }
        throw new AssertionError("no central directory");
    }

    /** Inserts a ZIP64 end-of-central-directory locator that points past the file. */
    static byte[] zip64Locator(byte[] zip) {
        ByteBuffer buf = ByteBuffer.wrap(zip).order(ByteOrder.LITTLE_ENDIAN);
        int eocd = -1;
        for (int i = zip.length - 22; i >= 0; i--) {
            if (buf.getInt(i) == 0x06054b50) {
                eocd = i;
                break;
            }
        }
        ByteBuffer out = ByteBuffer.allocate(zip.length + 20).order(ByteOrder.LITTLE_ENDIAN);
        out.put(zip, 0, eocd).putInt(0x07064b50).putInt(0).putLong(1L << 40).putInt(1).put(zip, eocd, zip.length - eocd);
        return out.array();
    }
}
