package io.specwatch.tensorfile;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * PyTorch's {@code torch.save} zip archive (PyTorch ≥ 1.6: {@code .pt}, {@code .pth},
 * {@code pytorch_model.bin}, Lightning's {@code .ckpt}): {@code <archive>/data.pkl} describes the
 * saved object, {@code <archive>/data/<key>} hold the raw storages. The pickle is run by
 * {@link Unpickler} with an allow-list of the globals that tensors and containers need (PyTorch's
 * {@code weights_only} idea, narrower): ordered dicts, the tensor and parameter rebuild functions,
 * storage types and dtypes. Any other global (a class, {@code os.system}, {@code builtins.eval}) is
 * refused by name and never looked up. The model's weights are then picked out of the object: a
 * {@code state_dict} (Lightning), {@code model}/{@code module} entries, or every tensor outside
 * optimizer, scheduler and loop state.
 */
final class TorchFormat {

    /** A storage type: the global that names it, its dtype, element encoding (null when not analysed) and width. */
    record StorageType(String name, String dtype, ElementType element, int itemSize) {
    }

    /** A torch dtype global (used by {@code _rebuild_tensor_v3}). */
    record DType(String name, ElementType element, int itemSize) {
    }

    /** One saved storage: its bytes in the archive. */
    record Storage(String key, StorageType type, long dataOffset, long bytes) {
    }

    /** A tensor the pickle rebuilt: a view of a storage. */
    record Tensor(Storage storage, long offset, long[] size, long[] stride, ElementType element, String typeName, int itemSize) {
    }

    private enum Callable { ORDERED_DICT, REBUILD_V1, REBUILD_V2, REBUILD_V3, PARAMETER, PARAMETER_WITH_STATE }

    private static final Map<String, Object> ALLOWED = allowed();

    /** Top-level keys under which a checkpoint keeps its model's weights, most specific first. */
    private static final List<String> MODEL_KEYS = List.of("state_dict", "model_state_dict", "model", "module", "net",
            "network", "model_state");
    /** Keys whose tensors are not the model's weights (Adam's moments have the weights' shapes). */
    private static final Set<String> NOT_WEIGHTS = Set.of("optimizer", "optimizers", "optimizer_states", "optimizer_state_dict",
            "optim", "opt", "lr_scheduler", "lr_schedulers", "scheduler", "schedulers", "scaler", "grad_scaler", "loops",
            "callbacks", "rng_state", "rng_states");

    private TorchFormat() {
    }

    static boolean isTorchArchive(ZipArchive zip) {
        return pickleName(zip) != null;
    }

    /** {@code <archive>/data.pkl}, the one pickle at depth one. */
    private static String pickleName(ZipArchive zip) {
        String found = null;
        for (String name : zip.members().keySet()) {
            int slash = name.indexOf('/');
            if (slash > 0 && name.indexOf('/', slash + 1) < 0 && name.endsWith("/data.pkl")) {
                if (found != null) {
                    return null;
                }
                found = name;
            }
        }
        return found;
    }

    static List<Map.Entry<TensorEntry, TensorData.Source>> read(MappedFile file, ZipArchive zip, ReadLimits limits, String stem)
            throws TensorFormatException {
        String pickle = pickleName(zip);
        String prefix = pickle.substring(0, pickle.length() - "data.pkl".length());
        ZipArchive.Member data = zip.member(pickle);
        if (data.method() != ZipArchive.STORED) {
            throw compressed(data);
        }
        if (data.size() > limits.maxPickleBytes()) {
            throw new TensorFormatException(pickle + " is " + data.size() + " bytes, more than the " + limits.maxPickleBytes()
                    + " allowed for a pickle");
        }
        Heap.require(Math.min(data.size(), limits.maxPickleObjects()) * 64 + 2 * data.size(), "the " + data.size() + "-byte pickle");
        ByteOrder order = byteOrder(file, zip, prefix);
        Host host = new Host(zip, prefix);
        Object root = Unpickler.load(file.map(data.dataOffset(), data.size()), host, limits, Printable.of(pickle));
        List<Map.Entry<String, Tensor>> found = new ArrayList<>();
        if (root instanceof Tensor t) {
            found.add(Map.entry(stem, t));
        } else {
            collect(weights(root), "", 0, limits, new IdentityHashMap<>(), found);
        }
        if (found.isEmpty()) {
            throw new TensorFormatException("no model weights: the saved object holds no tensors outside optimizer and training state");
        }
        List<Map.Entry<TensorEntry, TensorData.Source>> entries = new ArrayList<>();
        TensorData.Source source = new TensorData.Mapped(file);
        Set<String> names = new java.util.HashSet<>();
        String strip = commonPrefix(found);
        for (Map.Entry<String, Tensor> e : found) {
            String name = e.getKey().substring(strip.length());
            if (!names.add(name)) {
                throw new TensorFormatException("two tensors are named '" + Printable.of(name) + "'");
            }
            entries.add(Map.entry(entry(name, e.getValue(), order, file), source));
        }
        return entries;
    }

    private static TensorFormatException compressed(ZipArchive.Member m) {
        return new TensorFormatException("zip member '" + Printable.of(m.name()) + "' is compressed; torch.save stores its members"
                + " uncompressed (was the archive re-zipped? save it again with torch.save)");
    }

    private static ByteOrder byteOrder(MappedFile file, ZipArchive zip, String prefix) throws TensorFormatException {
        ZipArchive.Member m = zip.member(prefix + "byteorder");
        if (m == null) {
            return ByteOrder.LITTLE_ENDIAN; // written since PyTorch 1.10; older archives are little-endian
        }
        if (m.method() != ZipArchive.STORED || m.size() > 16) {
            throw new TensorFormatException("malformed byteorder record");
        }
        String text = new String(file.read(m.dataOffset(), (int) m.size()).array(), StandardCharsets.US_ASCII).strip();
        return switch (text) {
            case "little" -> ByteOrder.LITTLE_ENDIAN;
            case "big" -> ByteOrder.BIG_ENDIAN;
            default -> throw new TensorFormatException("malformed byteorder record '" + Printable.of(text) + "'");
        };
    }

    /** The part of the saved object that holds the model's weights. */
    private static Object weights(Object root) {
        if (root instanceof Map<?, ?> map) {
            for (String key : MODEL_KEYS) {
                Object v = map.get(key);
                if (v instanceof Map<?, ?> inner && holdsTensor(inner)) {
                    return inner;
                }
            }
        }
        return root;
    }

    private static boolean holdsTensor(Map<?, ?> map) {
        for (Object v : map.values()) {
            if (v instanceof Tensor) {
                return true;
            }
        }
        return false;
    }

    /** Every tensor below {@code node}, named by its dotted key path; each container is visited once. */
    private static void collect(Object node, String path, int depth, ReadLimits limits, Map<Object, Boolean> seen,
                                List<Map.Entry<String, Tensor>> out) throws TensorFormatException {
        if (node instanceof Tensor t) {
            if (out.size() >= limits.maxTensors()) {
                throw new TensorFormatException("more than " + limits.maxTensors() + " tensors");
            }
            if (seen.put(t, Boolean.TRUE) == null) {
                out.add(Map.entry(path, t));
            }
            return;
        }
        boolean container = node instanceof Map<?, ?> || node instanceof List<?> || node instanceof Unpickler.Tuple;
        if (!container) {
            return;
        }
        if (depth >= limits.maxDepth()) {
            throw new TensorFormatException("the saved object is nested deeper than " + limits.maxDepth());
        }
        if (seen.put(node, Boolean.TRUE) != null) {
            return;
        }
        if (node instanceof Map<?, ?> map) {
            for (Map.Entry<?, ?> e : map.entrySet()) {
                Object k = e.getKey();
                if (!(k instanceof String) && !(k instanceof Long)) {
                    continue;
                }
                String key = k.toString();
                if (NOT_WEIGHTS.contains(key)) {
                    continue;
                }
                collect(e.getValue(), path.isEmpty() ? key : path + "." + key, depth + 1, limits, seen, out);
            }
        } else {
            List<?> items = node instanceof Unpickler.Tuple t ? t.items() : (List<?>) node;
            for (int i = 0; i < items.size(); i++) {
                collect(items.get(i), path.isEmpty() ? String.valueOf(i) : path + "." + i, depth + 1, limits, seen, out);
            }
        }
    }

    /** {@code module.} (DataParallel/DDP) or {@code _orig_mod.} (torch.compile) when every name has it. */
    private static String commonPrefix(List<Map.Entry<String, Tensor>> found) {
        for (String p : List.of("module.", "_orig_mod.")) {
            if (!found.isEmpty() && found.stream().allMatch(e -> e.getKey().startsWith(p) && e.getKey().length() > p.length())) {
                return p;
            }
        }
        return "";
    }

    private static TensorEntry entry(String name, Tensor t, ByteOrder order, MappedFile file) throws TensorFormatException {
        String shown = Printable.of(name);
        long[] size = t.size();
        long[] stride = t.stride();
        if (size.length != stride.length) {
            throw new TensorFormatException("tensor '" + shown + "': " + size.length + " sizes but " + stride.length + " strides");
        }
        try {
            long count = 1;
            long last = t.offset();
            for (int d = 0; d < size.length; d++) {
                if (size[d] < 0 || stride[d] < 0) {
                    throw new TensorFormatException("tensor '" + shown + "': negative size or stride");
                }
                count = Math.multiplyExact(count, size[d]);
                last = Math.addExact(last, Math.multiplyExact(Math.max(0, size[d] - 1), stride[d]));
            }
            if (t.offset() < 0) {
                throw new TensorFormatException("tensor '" + shown + "': negative storage offset");
            }
            long end = Math.multiplyExact(Math.addExact(last, 1), t.itemSize());
            if (count > 0 && end > t.storage().bytes()) {
                throw new TensorFormatException("tensor '" + shown + "' reaches byte " + end + " of storage '"
                        + Printable.of(t.storage().key()) + "', which holds " + t.storage().bytes());
            }
        } catch (ArithmeticException e) {
            throw new TensorFormatException("tensor '" + shown + "': shape " + java.util.Arrays.toString(size) + " is too large");
        }
        return new TensorEntry(name, size, t.element(), t.typeName(), order, stride,
                t.storage().dataOffset() + t.offset() * t.itemSize(), file.path());
    }

    /** The pickle's meaning: only what rebuilding tensors and containers needs. */
    private static final class Host implements Unpickler.Host {
        private final ZipArchive zip;
        private final String prefix;
        private final Map<String, Storage> storages = new LinkedHashMap<>();

        Host(ZipArchive zip, String prefix) {
            this.zip = zip;
            this.prefix = prefix;
        }

        @Override
        public Object global(String module, String name) throws TensorFormatException {
            String qualified = module + "." + name;
            Object known = ALLOWED.get(qualified);
            if (known == null) {
                // protocol 2 spells os.system as posix.system and builtins as __builtin__: name both
                String alias = switch (module) {
                    case "posix", "nt" -> "os." + name;
                    case "__builtin__" -> "builtins." + name;
                    default -> null;
                };
                throw new TensorFormatException("refused global '" + Printable.of(qualified) + "'"
                        + (alias == null ? "" : " (" + Printable.of(alias) + ")") + " in the pickle: only tensors,"
                        + " storages and containers are loaded, and pickle would import and call it (it could run any code)");
            }
            return known;
        }

        @Override
        public Object reduce(Object callable, Unpickler.Tuple args) throws TensorFormatException {
            if (!(callable instanceof Callable c)) {
                throw new TensorFormatException("malformed pickle: calls " + describe(callable) + ", which torch.save never does");
            }
            return switch (c) {
                case ORDERED_DICT -> {
                    if (args.size() != 0) {
                        throw new TensorFormatException("malformed pickle: OrderedDict with arguments");
                    }
                    yield new LinkedHashMap<>();
                }
                case REBUILD_V1 -> tensor(args, 4, 4, false);
                case REBUILD_V2 -> tensor(args, 6, 7, false);
                case REBUILD_V3 -> tensor(args, 7, 8, true);
                case PARAMETER, PARAMETER_WITH_STATE -> {
                    int n = c == Callable.PARAMETER ? 3 : 4;
                    if (args.size() != n || !(args.get(0) instanceof Tensor t)) {
                        throw new TensorFormatException("malformed pickle: _rebuild_parameter needs a tensor and " + (n - 1) + " more arguments");
                    }
                    yield t;
                }
            };
        }

        private Tensor tensor(Unpickler.Tuple args, int min, int max, boolean v3) throws TensorFormatException {
            if (args.size() < min || args.size() > max) {
                throw new TensorFormatException("malformed pickle: tensor rebuilt with " + args.size() + " arguments");
            }
            if (!(args.get(0) instanceof Storage storage)) {
                throw new TensorFormatException("malformed pickle: tensor without a storage");
            }
            long offset = integer(args.get(1), "storage offset");
            long[] size = integers(args.get(2), "size");
            long[] stride = integers(args.get(3), "stride");
            ElementType element = storage.type().element();
            String typeName = storage.type().dtype();
            int itemSize = storage.type().itemSize();
            if (v3) {
                if (!(args.get(6) instanceof DType dtype)) {
                    throw new TensorFormatException("malformed pickle: _rebuild_tensor_v3 without a dtype");
                }
                element = dtype.element();
                typeName = dtype.name();
                itemSize = dtype.itemSize();
            } else if (storage.type().dtype() == null) {
                throw new TensorFormatException("malformed pickle: an untyped storage needs _rebuild_tensor_v3");
            }
            return new Tensor(storage, offset, size, stride, element, typeName, itemSize);
        }

        @Override
        public Object persistentLoad(Object pid) throws TensorFormatException {
            if (!(pid instanceof Unpickler.Tuple t) || t.size() != 5 || !"storage".equals(t.get(0))
                    || !(t.get(1) instanceof StorageType type) || !(t.get(2) instanceof String key) || !(t.get(3) instanceof String)) {
                throw new TensorFormatException("malformed pickle: a persistent id that is not ('storage', type, key, location, size)");
            }
            long numel = integer(t.get(4), "storage size");
            Storage known = storages.get(key);
            if (known != null) {
                return known;
            }
            ZipArchive.Member m = zip.member(prefix + "data/" + key);
            String shown = Printable.of(key);
            if (m == null) {
                throw new TensorFormatException("storage '" + shown + "' is missing from the archive (no " + Printable.of(prefix) + "data/" + shown + ")");
            }
            if (m.method() != ZipArchive.STORED) {
                throw compressed(m);
            }
            long bytes;
            try {
                bytes = Math.multiplyExact(numel, type.itemSize());
            } catch (ArithmeticException e) {
                throw new TensorFormatException("storage '" + shown + "' of " + numel + " elements is too large");
            }
            if (numel < 0 || bytes > m.size()) {
                throw new TensorFormatException("storage '" + shown + "' claims " + numel + " elements of " + type.name() + " ("
                        + bytes + " bytes); the archive holds " + m.size());
            }
            if (storages.size() >= zip.members().size()) {
                throw new TensorFormatException("malformed pickle: more storages than archive members");
            }
            Storage s = new Storage(key, type, m.dataOffset(), bytes);
            storages.put(key, s);
            return s;
        }

        @Override
        public void build(Object target, Object state) throws TensorFormatException {
            // OrderedDict state_dicts carry a _metadata attribute (module versions): not needed
            if (!(target instanceof Map<?, ?>)) {
                throw new TensorFormatException("malformed pickle: BUILD on " + describe(target) + ", which torch.save never writes");
            }
        }

        private static long integer(Object o, String what) throws TensorFormatException {
            if (o instanceof Long l) {
                return l;
            }
            throw new TensorFormatException("malformed pickle: the " + what + " is not an integer");
        }

        private static long[] integers(Object o, String what) throws TensorFormatException {
            if (!(o instanceof Unpickler.Tuple t) || t.size() > 64) {
                throw new TensorFormatException("malformed pickle: the " + what + " is not a tuple of at most 64 integers");
            }
            long[] v = new long[t.size()];
            for (int i = 0; i < v.length; i++) {
                v[i] = integer(t.get(i), what);
            }
            return v;
        }

        private static String describe(Object o) {
            if (o instanceof StorageType s) {
                return "torch." + s.name();
            }
            if (o instanceof DType d) {
                return "torch." + d.name();
            }
            return o == null ? "nothing" : "a " + o.getClass().getSimpleName().toLowerCase(java.util.Locale.ROOT);
        }
    }

    private static Map<String, Object> allowed() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("collections.OrderedDict", Callable.ORDERED_DICT);
        m.put("torch._utils._rebuild_tensor", Callable.REBUILD_V1);
        m.put("torch._utils._rebuild_tensor_v2", Callable.REBUILD_V2);
        m.put("torch._utils._rebuild_tensor_v3", Callable.REBUILD_V3);
        m.put("torch._utils._rebuild_parameter", Callable.PARAMETER);
        m.put("torch._utils._rebuild_parameter_with_state", Callable.PARAMETER_WITH_STATE);
        Object[][] storages = {
            {"DoubleStorage", "float64", ElementType.F64, 8}, {"FloatStorage", "float32", ElementType.F32, 4},
            {"HalfStorage", "float16", ElementType.F16, 2}, {"BFloat16Storage", "bfloat16", ElementType.BF16, 2},
            {"LongStorage", "int64", null, 8}, {"IntStorage", "int32", null, 4}, {"ShortStorage", "int16", null, 2},
            {"CharStorage", "int8", null, 1}, {"ByteStorage", "uint8", null, 1}, {"BoolStorage", "bool", null, 1},
            {"ComplexFloatStorage", "complex64", null, 8}, {"ComplexDoubleStorage", "complex128", null, 16},
        };
        for (Object[] s : storages) {
            m.put("torch." + s[0], new StorageType((String) s[0], (String) s[1], (ElementType) s[2], (Integer) s[3]));
        }
        // bytes, typed by the dtype that _rebuild_tensor_v3 passes
        m.put("torch.storage.UntypedStorage", new StorageType("UntypedStorage", null, null, 1));
        Object[][] dtypes = {
            {"float64", ElementType.F64, 8}, {"float32", ElementType.F32, 4}, {"float16", ElementType.F16, 2},
            {"bfloat16", ElementType.BF16, 2}, {"int64", null, 8}, {"int32", null, 4}, {"int16", null, 2}, {"int8", null, 1},
            {"uint8", null, 1}, {"uint16", null, 2}, {"uint32", null, 4}, {"uint64", null, 8}, {"bool", null, 1},
            {"complex32", null, 4}, {"complex64", null, 8}, {"complex128", null, 16}, {"float8_e4m3fn", null, 1},
            {"float8_e4m3fnuz", null, 1}, {"float8_e5m2", null, 1}, {"float8_e5m2fnuz", null, 1}, {"float8_e8m0fnu", null, 1},
            {"float4_e2m1fn_x2", null, 1},
        };
        for (Object[] d : dtypes) {
            m.put("torch." + d[0], new DType((String) d[0], (ElementType) d[1], (Integer) d[2]));
        }
        return Map.copyOf(m);
    }
}
