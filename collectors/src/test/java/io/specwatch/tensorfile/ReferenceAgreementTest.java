package io.specwatch.tensorfile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.specwatch.PythonEnv;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Crafted .safetensors and .npy files are accepted or refused exactly as the reference readers
 * (the real {@code safetensors} library and {@code numpy.load}) accept or refuse them, case by case.
 */
class ReferenceAgreementTest {

    @TempDir
    Path dir;

    private static final String DATA48 = "{\"w\":{\"dtype\":\"F32\",\"shape\":[4,3],\"data_offsets\":[0,48]}}";

    @Test
    void safetensorsCasesAgreeWithTheSafetensorsLibrary() throws Exception {
        byte[] d48 = new byte[48];
        Map<String, byte[]> cases = new LinkedHashMap<>();
        cases.put("ok", st(DATA48, "", d48));
        cases.put("padded_with_spaces", st(DATA48, "    ", d48));
        cases.put("padded_with_newline_tab", st(DATA48, "\n\t ", d48));
        cases.put("leading_space", st(" " + DATA48, "", d48));
        cases.put("padded_with_nul", st(DATA48, "\0\0", d48));
        cases.put("trailing_garbage", st(DATA48, "xyz", d48));
        cases.put("second_object", st(DATA48, "{}", d48));
        cases.put("float_offsets", st("{\"w\":{\"dtype\":\"F32\",\"shape\":[4,3],\"data_offsets\":[0.0,48.0]}}", "", d48));
        cases.put("exponent_offsets", st("{\"w\":{\"dtype\":\"F32\",\"shape\":[4,3],\"data_offsets\":[0,4.8e1]}}", "", d48));
        cases.put("float_shape", st("{\"w\":{\"dtype\":\"F32\",\"shape\":[4.0,3],\"data_offsets\":[0,48]}}", "", d48));
        cases.put("negative_shape", st("{\"w\":{\"dtype\":\"F32\",\"shape\":[-4,-3],\"data_offsets\":[0,48]}}", "", d48));
        cases.put("overlapping", st("{\"a\":{\"dtype\":\"F32\",\"shape\":[4,3],\"data_offsets\":[0,48]},"
                + "\"b\":{\"dtype\":\"F32\",\"shape\":[2,3],\"data_offsets\":[24,48]}}", "", d48));
        cases.put("gap_before", st("{\"w\":{\"dtype\":\"F32\",\"shape\":[2,3],\"data_offsets\":[24,48]}}", "", d48));
        cases.put("gap_between", st("{\"a\":{\"dtype\":\"F32\",\"shape\":[1,3],\"data_offsets\":[0,12]},"
                + "\"b\":{\"dtype\":\"F32\",\"shape\":[1,3],\"data_offsets\":[24,36]}}", "", new byte[36]));
        cases.put("reversed_offsets", st("{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,0]}}", "", new byte[4]));
        cases.put("trailing_data", st("{\"w\":{\"dtype\":\"F32\",\"shape\":[2,3],\"data_offsets\":[0,24]}}", "", d48));
        cases.put("truncated_data", st(DATA48, "", new byte[40]));
        cases.put("duplicate_names", st("{\"w\":{\"dtype\":\"F32\",\"shape\":[2,3],\"data_offsets\":[0,24]},"
                + "\"w\":{\"dtype\":\"F32\",\"shape\":[2,3],\"data_offsets\":[24,48]}}", "", d48));
        cases.put("duplicate_field", st("{\"w\":{\"dtype\":\"F32\",\"dtype\":\"F32\",\"shape\":[4,3],\"data_offsets\":[0,48]}}", "", d48));
        cases.put("unknown_field", st("{\"w\":{\"dtype\":\"F32\",\"shape\":[4,3],\"data_offsets\":[0,48],\"x\":[1,{\"y\":2}]}}", "", d48));
        cases.put("metadata_strings", st("{\"__metadata__\":{\"format\":\"pt\"}," + DATA48.substring(1), "", d48));
        cases.put("metadata_null", st("{\"__metadata__\":null," + DATA48.substring(1), "", d48));
        cases.put("metadata_number", st("{\"__metadata__\":{\"a\":1}," + DATA48.substring(1), "", d48));
        cases.put("metadata_nested", st("{\"__metadata__\":{\"a\":{\"b\":\"c\"}}," + DATA48.substring(1), "", d48));
        cases.put("metadata_string", st("{\"__metadata__\":\"x\"," + DATA48.substring(1), "", d48));
        cases.put("unknown_dtype", st(DATA48.replace("F32", "Q32"), "", d48));
        cases.put("lowercase_dtype", st(DATA48.replace("F32", "f32"), "", d48));
        cases.put("missing_shape", st("{\"w\":{\"dtype\":\"F32\",\"data_offsets\":[0,48]}}", "", d48));
        cases.put("three_offsets", st("{\"w\":{\"dtype\":\"F32\",\"shape\":[4,3],\"data_offsets\":[0,48,48]}}", "", d48));
        cases.put("huge_offset", st("{\"w\":{\"dtype\":\"F32\",\"shape\":[4,3],\"data_offsets\":[0,18446744073709551615]}}", "", d48));
        cases.put("overflowing_shape", st("{\"w\":{\"dtype\":\"F32\",\"shape\":[4294967296,4294967296],\"data_offsets\":[0,48]}}", "", d48));
        cases.put("not_an_object", st("[1]", "", new byte[0]));
        cases.put("tensor_not_an_object", st("{\"w\":[1,2]}", "", new byte[0]));
        cases.put("empty_header_object", st("{}", "", new byte[0]));
        cases.put("scalar", st("{\"w\":{\"dtype\":\"F32\",\"shape\":[],\"data_offsets\":[0,4]}}", "", new byte[4]));
        cases.put("empty_tensor", st("{\"w\":{\"dtype\":\"F32\",\"shape\":[0,3],\"data_offsets\":[0,0]}}", "", new byte[0]));
        cases.put("bool_tensor", st("{\"w\":{\"dtype\":\"BOOL\",\"shape\":[4,3],\"data_offsets\":[0,12]}}", "", new byte[12]));
        cases.put("f4_half_byte", st("{\"w\":{\"dtype\":\"F4\",\"shape\":[3],\"data_offsets\":[0,2]}}", "", new byte[2]));
        cases.put("f4_whole_bytes", st("{\"w\":{\"dtype\":\"F4\",\"shape\":[4],\"data_offsets\":[0,2]}}", "", new byte[2]));
        cases.put("escape_in_name", st("{\"\\u001b[31mred\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}", "", new byte[4]));
        cases.put("byte_order_mark", st("\ufeff" + DATA48, "", d48));
        cases.put("deep_nesting", st("{\"__metadata__\":null,\"w\":{\"dtype\":\"F32\",\"shape\":[4,3],\"data_offsets\":[0,48],\"x\":"
                + "[".repeat(5000) + "]".repeat(5000) + "}}", "", d48));
        byte[] badUtf8 = st("{\"a\":\"x\"}", "", new byte[0]);
        badUtf8[8 + 6] = (byte) 0xff;
        cases.put("invalid_utf8", badUtf8);
        cases.put("header_longer_than_file", Arrays8.withLength(st(DATA48, "", d48), 1000));
        cases.put("header_over_limit", Arrays8.withLength(st(DATA48, "", d48), 100_000_001));
        cases.put("header_too_small", new byte[] {1, 0, 0});
        // the reference keeps the last of two identical entries; we refuse any duplicate name (documented)
        Map<String, Boolean> ours = Map.of("duplicate_same", false);
        cases.put("duplicate_same", st("{\"w\":{\"dtype\":\"F32\",\"shape\":[4,3],\"data_offsets\":[0,48]},"
                + "\"w\":{\"dtype\":\"F32\",\"shape\":[4,3],\"data_offsets\":[0,48]}}", "", d48));
        compare(cases, ".safetensors", """
                import safetensors
                def load(path):
                    with open(path, "rb") as f:
                        safetensors.deserialize(f.read())
                """, ours);
    }

    @Test
    void npyCasesAgreeWithNumpy() throws Exception {
        Map<String, byte[]> cases = new LinkedHashMap<>();
        String ok = "{'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), }";
        cases.put("ok", npy(1, ok, 48));
        cases.put("ok_version2", npy(2, ok, 48));
        cases.put("ok_version3", npy(3, ok, 48));
        cases.put("python2_long", npy(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (3L, 4L), }", 48));
        cases.put("double_quotes", npy(1, "{\"descr\": \"<f4\", \"fortran_order\": False, \"shape\": (3, 4)}", 48));
        cases.put("trailing_data", npy(1, ok, 100));
        cases.put("truncated_data", npy(1, ok, 40));
        cases.put("extra_key", npy(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), 'x': 1}", 48));
        cases.put("missing_key", npy(1, "{'descr': '<f4', 'shape': (3, 4)}", 48));
        cases.put("shape_list", npy(1, "{'descr': '<f4', 'fortran_order': False, 'shape': [3, 4]}", 48));
        cases.put("shape_strings", npy(1, "{'descr': '<f4', 'fortran_order': False, 'shape': ('3', 4)}", 48));
        cases.put("fortran_not_bool", npy(1, "{'descr': '<f4', 'fortran_order': 'yes', 'shape': (3, 4)}", 48));
        cases.put("not_a_dict", npy(1, "[1, 2]", 48));
        cases.put("garbage_after_dict", npy(1, ok + " xyz", 48));
        cases.put("unterminated", npy(1, "{'descr': '<f4, 'fortran_order': False, 'shape': (3, 4)}", 48));
        cases.put("object_dtype", npy(1, "{'descr': '|O', 'fortran_order': False, 'shape': (3,)}", 24));
        cases.put("unknown_dtype", npy(1, "{'descr': '<q9', 'fortran_order': False, 'shape': (3,)}", 24));
        cases.put("header_over_numpy_limit", npy(2, "{'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), }" + " ".repeat(20_000), 48));
        cases.put("deep_nesting", npy(1, "{'descr': '<f4', 'fortran_order': False, 'shape': " + "(".repeat(500) + ")".repeat(500) + "}", 48));
        byte[] minor = npy(1, ok, 48);
        minor[7] = 1;
        cases.put("version_1_1", minor);
        byte[] major = npy(1, ok, 48);
        major[6] = 4;
        cases.put("version_4", major);
        byte[] magic = npy(1, ok, 48);
        magic[1] = 'X';
        cases.put("bad_magic", magic);
        compare(cases, ".npy", """
                import numpy as np
                def load(path):
                    np.load(path)
                """, Map.of());
    }

    /** Runs {@code load(path)} of the reference on every case; each must be accepted by both or refused by both. */
    private void compare(Map<String, byte[]> cases, String suffix, String loader, Map<String, Boolean> oursDiffer) throws Exception {
        List<String> names = new ArrayList<>();
        for (var c : cases.entrySet()) {
            Files.write(dir.resolve(c.getKey() + suffix), c.getValue());
            names.add(c.getKey() + suffix);
        }
        String script = loader + """
                import json, sys
                result = {}
                for name in sys.argv[1:]:
                    try:
                        load(name)
                        result[name] = "ok"
                    except BaseException as e:
                        result[name] = type(e).__name__ + ": " + str(e)[:200]
                print("RESULT " + json.dumps(result))
                """;
        String output = PythonEnv.runOrFail(script, dir, 120, names.toArray(String[]::new));
        String line = output.lines().filter(l -> l.startsWith("RESULT ")).findFirst().orElseThrow(() -> new AssertionError(output));
        JsonNode reference = new ObjectMapper().readTree(line.substring(7));
        int refused = 0;
        for (String name : names) {
            String ref = reference.get(name).asText();
            String java;
            try (TensorFile f = TensorFile.open(dir.resolve(name))) {
                java = "ok (" + f.entries().size() + " tensors)";
            } catch (TensorFormatException e) {
                java = "refused: " + e.getMessage();
                assertTrue(!e.getMessage().contains("\n"), name + ": one line: " + e.getMessage());
            }
            String key = name.substring(0, name.length() - suffix.length());
            boolean refAccepts = ref.equals("ok");
            boolean weAccept = java.startsWith("ok");
            if (oursDiffer.containsKey(key)) {
                assertTrue(refAccepts != oursDiffer.get(key), key + ": the reference was expected to differ from us: " + ref);
                assertEquals(oursDiffer.get(key), weAccept, key + ": " + java);
            } else {
                assertEquals(refAccepts, weAccept, key + ": reference says " + ref + "; we say " + java);
            }
            refused += weAccept ? 0 : 1;
        }
        assertTrue(refused >= cases.size() / 2, "the cases are mostly hostile: " + refused + " of " + cases.size() + " refused");
    }

    /** A safetensors file: the length, the header text, padding, the data. */
    static byte[] st(String header, String padding, byte[] data) {
        byte[] h = (header + padding).getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(8 + h.length + data.length).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(h.length).put(h).put(data);
        return b.array();
    }

    /** An .npy file of the given version with a header padded as numpy pads it, and {@code dataBytes} zero bytes. */
    static byte[] npy(int version, String dict, int dataBytes) {
        int prefix = version == 1 ? 10 : 12;
        int unpadded = prefix + dict.length() + 1;
        String header = dict + " ".repeat((64 - unpadded % 64) % 64) + "\n";
        byte[] h = header.getBytes(version == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
        ByteBuffer b = ByteBuffer.allocate(prefix + h.length + dataBytes).order(ByteOrder.LITTLE_ENDIAN);
        b.put((byte) 0x93).put("NUMPY".getBytes(StandardCharsets.US_ASCII)).put((byte) version).put((byte) 0);
        if (version == 1) {
            b.putShort((short) h.length);
        } else {
            b.putInt(h.length);
        }
        b.put(h);
        return b.array();
    }

    /** Rewrites a safetensors file's 8-byte header length. */
    static final class Arrays8 {
        static byte[] withLength(byte[] file, long length) {
            byte[] copy = file.clone();
            ByteBuffer.wrap(copy).order(ByteOrder.LITTLE_ENDIAN).putLong(0, length);
            return copy;
        }
    }
}
