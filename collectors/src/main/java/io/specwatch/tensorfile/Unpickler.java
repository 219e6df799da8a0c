package io.specwatch.tensorfile;

import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A pickle reader that never executes anything: a stack machine for the data opcodes of pickle
 * protocols 2–5 (what {@code torch.save} writes is protocol 2). Globals, calls ({@code REDUCE}),
 * {@code BUILD} and persistent ids are handed to a {@link Host} that decides what each one means
 * or refuses it; nothing is ever imported, looked up by reflection or called. Every other opcode
 * is refused by name. Bounded: each opcode reads at least one input byte (so time is linear in
 * the input), strings, marks, tuple nesting and the values made (stack pushes and memo entries)
 * are capped by {@link ReadLimits}.
 */
final class Unpickler {

    /** What globals, calls and persistent ids mean; anything it does not know it refuses. */
    interface Host {
        Object global(String module, String name) throws TensorFormatException;

        Object reduce(Object callable, Tuple args) throws TensorFormatException;

        Object persistentLoad(Object pid) throws TensorFormatException;

        void build(Object target, Object state) throws TensorFormatException;
    }

    /** An immutable Python tuple; {@code depth} is its nesting of tuples (bounded, so hashing it is safe). */
    record Tuple(List<Object> items, int depth) {
        Object get(int i) {
            return items.get(i);
        }

        int size() {
            return items.size();
        }
    }

    /** Python's None. */
    enum None { NONE }

    private static final Map<Integer, String> NAMES = opcodeNames();

    private final ByteBuffer in;
    private final Host host;
    private final ReadLimits limits;
    private final String what;
    private final List<Object> stack = new ArrayList<>();
    private final int[] marks;
    private int markCount;
    private final Map<Long, Object> memo = new HashMap<>();
    private long made;
    private int opStart;

    private Unpickler(ByteBuffer in, Host host, ReadLimits limits, String what) {
        this.in = in.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        this.in.position(0);
        this.host = host;
        this.limits = limits;
        this.what = what;
        this.marks = new int[limits.maxDepth()];
    }

    /** Runs the pickle in {@code in} (position 0 to limit) and returns the value STOP leaves. */
    static Object load(ByteBuffer in, Host host, ReadLimits limits, String what) throws TensorFormatException {
        return new Unpickler(in, host, limits, what).run();
    }

    private Object run() throws TensorFormatException {
        while (in.hasRemaining()) {
            opStart = in.position();
            int op = in.get() & 0xff;
            switch (op) {
                case 0x80 -> { // PROTO
                    int protocol = u8();
                    if (protocol > 5 || opStart != 0) {
                        throw malformed("PROTO " + protocol + (opStart != 0 ? " after the start" : " is not a pickle protocol"));
                    }
                }
                case 0x95 -> skip(8); // FRAME: a hint for buffered readers
                case '.' -> { // STOP
                    return pop();
                }
                case '(' -> { // MARK
                    if (markCount == marks.length) {
                        throw new TensorFormatException(what + ": pickle marks nested deeper than " + marks.length);
                    }
                    marks[markCount++] = stack.size();
                }
                case '0' -> pop(); // POP
                case '1' -> popMark(); // POP_MARK
                case '2' -> push(peek()); // DUP
                case 'N' -> push(None.NONE);
                case 0x88 -> push(Boolean.TRUE);
                case 0x89 -> push(Boolean.FALSE);
                case 'J' -> push((long) in.getInt(need(4))); // BININT
                case 'K' -> push((long) u8()); // BININT1
                case 'M' -> push((long) (in.getShort(need(2)) & 0xffff)); // BININT2
                case 0x8a -> push(longOf(u8())); // LONG1
                case 0x8b -> push(longOf(length(in.getInt(need(4)) & 0xffffffffL, 1024))); // LONG4
                case 'G' -> push(Double.longBitsToDouble(Long.reverseBytes(in.getLong(need(8))))); // BINFLOAT, big-endian
                case 'X' -> push(text(length(in.getInt(need(4)) & 0xffffffffL, limits.maxStringBytes()), true)); // BINUNICODE
                case 0x8c -> push(text(u8(), true)); // SHORT_BINUNICODE
                case 0x8d -> push(text(length(in.getLong(need(8)), limits.maxStringBytes()), true)); // BINUNICODE8
                case 'U' -> push(text(u8(), false)); // SHORT_BINSTRING
                case 'T' -> push(text(length(in.getInt(need(4)), limits.maxStringBytes()), false)); // BINSTRING
                case 'C' -> push(bytes(u8())); // SHORT_BINBYTES
                case 'B' -> push(bytes(length(in.getInt(need(4)) & 0xffffffffL, limits.maxStringBytes()))); // BINBYTES
                case 0x8e -> push(bytes(length(in.getLong(need(8)), limits.maxStringBytes()))); // BINBYTES8
                case ')' -> push(tuple(List.of()));
                case 't' -> push(tuple(popMark()));
                case 0x85 -> push(tuple(List.of(pop())));
                case 0x86 -> {
                    Object b = pop();
                    push(tuple(List.of(pop(), b)));
                }
                case 0x87 -> {
                    Object c = pop();
                    Object b = pop();
                    push(tuple(List.of(pop(), b, c)));
                }
                case ']' -> push(new ArrayList<>());
                case 'a' -> { // APPEND
                    Object v = pop();
                    list(peek()).add(v);
                }
                case 'e' -> { // APPENDS
                    List<Object> items = popMark();
                    list(peek()).addAll(items);
                }
                case '}' -> push(new LinkedHashMap<>());
                case 's' -> { // SETITEM
                    Object v = pop();
                    Object k = pop();
                    dict(peek()).put(key(k), v);
                }
                case 'u' -> { // SETITEMS
                    List<Object> items = popMark();
                    if (items.size() % 2 != 0) {
                        throw malformed("SETITEMS with an odd number of items");
                    }
                    Map<Object, Object> d = dict(peek());
                    for (int i = 0; i < items.size(); i += 2) {
                        d.put(key(items.get(i)), items.get(i + 1));
                    }
                }
                case 'q' -> remember(u8()); // BINPUT
                case 'r' -> remember(in.getInt(need(4)) & 0xffffffffL); // LONG_BINPUT
                case 0x94 -> remember(memo.size()); // MEMOIZE
                case 'h' -> recall(u8()); // BINGET
                case 'j' -> recall(in.getInt(need(4)) & 0xffffffffL); // LONG_BINGET
                case 'c' -> { // GLOBAL: "module\nname\n"
                    String module = line();
                    push(host.global(module, line()));
                }
                case 0x93 -> { // STACK_GLOBAL
                    Object name = pop();
                    Object module = pop();
                    if (!(module instanceof String m) || !(name instanceof String n)) {
                        throw malformed("STACK_GLOBAL needs two strings");
                    }
                    push(host.global(m, n));
                }
                case 'R' -> { // REDUCE
                    Object args = pop();
                    Object callable = pop();
                    if (!(args instanceof Tuple t)) {
                        throw malformed("REDUCE arguments are not a tuple");
                    }
                    push(host.reduce(callable, t));
                }
                case 'b' -> { // BUILD
                    Object state = pop();
                    host.build(peek(), state);
                }
                case 'Q' -> push(host.persistentLoad(pop())); // BINPERSID
                default -> throw new TensorFormatException(what + ": pickle opcode " + NAMES.getOrDefault(op, String.format("0x%02x", op))
                        + " at byte " + opStart + " is not supported (torch.save does not write it)");
            }
        }
        throw new TruncatedException(what + ": the pickle ends without STOP (truncated)");
    }

    private void push(Object value) throws TensorFormatException {
        if (++made > limits.maxPickleObjects()) {
            throw new TensorFormatException(what + ": the pickle makes more than " + limits.maxPickleObjects() + " values");
        }
        stack.add(value);
    }

    private Object pop() throws TensorFormatException {
        int floor = markCount == 0 ? 0 : marks[markCount - 1];
        if (stack.size() <= floor) {
            throw malformed("stack underflow");
        }
        return stack.remove(stack.size() - 1);
    }

    private Object peek() throws TensorFormatException {
        int floor = markCount == 0 ? 0 : marks[markCount - 1];
        if (stack.size() <= floor) {
            throw malformed("stack underflow");
        }
        return stack.get(stack.size() - 1);
    }

    private List<Object> popMark() throws TensorFormatException {
        if (markCount == 0) {
            throw malformed("no MARK");
        }
        int from = marks[--markCount];
        List<Object> tail = stack.subList(from, stack.size());
        List<Object> items = new ArrayList<>(tail);
        tail.clear();
        return items;
    }

    private Tuple tuple(List<Object> items) throws TensorFormatException {
        int depth = 1;
        for (Object o : items) {
            if (o instanceof Tuple t) {
                depth = Math.max(depth, t.depth() + 1);
            }
        }
        if (depth > limits.maxDepth()) {
            throw new TensorFormatException(what + ": pickle tuples nested deeper than " + limits.maxDepth());
        }
        return new Tuple(List.copyOf(items), depth);
    }

    @SuppressWarnings("unchecked")
    private List<Object> list(Object o) throws TensorFormatException {
        if (o instanceof ArrayList<?> l) {
            return (List<Object>) l;
        }
        throw malformed("APPEND to something that is not a list");
    }

    @SuppressWarnings("unchecked")
    private Map<Object, Object> dict(Object o) throws TensorFormatException {
        if (o instanceof LinkedHashMap<?, ?> m) {
            return (Map<Object, Object>) m;
        }
        throw malformed("SETITEM on something that is not a dict");
    }

    /** Dict keys must be hashable values (Python refuses lists and dicts as keys, and so do we). */
    private Object key(Object k) throws TensorFormatException {
        if (k instanceof String || k instanceof Long || k instanceof BigInteger || k instanceof Double || k instanceof Boolean
                || k instanceof None || k instanceof Tuple) {
            return k;
        }
        throw malformed("unhashable dict key");
    }

    private void remember(long index) throws TensorFormatException {
        if (memo.size() >= limits.maxPickleObjects()) {
            throw new TensorFormatException(what + ": the pickle memo holds more than " + limits.maxPickleObjects() + " entries");
        }
        if (++made > limits.maxPickleObjects()) {
            throw new TensorFormatException(what + ": the pickle makes more than " + limits.maxPickleObjects() + " values");
        }
        memo.put(index, peek());
    }

    private void recall(long index) throws TensorFormatException {
        Object v = memo.get(index);
        if (v == null) {
            throw malformed("memo entry " + index + " was never stored");
        }
        push(v);
    }

    private int u8() throws TensorFormatException {
        return in.get(need(1)) & 0xff;
    }

    /** Checks that {@code n} bytes follow and returns their start, moving past them. */
    private int need(long n) throws TensorFormatException {
        if (n > in.remaining()) {
            throw new TruncatedException(what + ": the pickle ends inside an opcode at byte " + opStart + " (truncated)");
        }
        int at = in.position();
        in.position(at + (int) n);
        return at;
    }

    private void skip(long n) throws TensorFormatException {
        need(n);
    }

    private int length(long n, int max) throws TensorFormatException {
        if (n < 0 || n > max) {
            throw new TensorFormatException(what + ": a pickle string or number of " + n + " bytes at byte " + opStart
                    + " exceeds the limit of " + max);
        }
        return (int) n;
    }

    private String text(int n, boolean utf8) throws TensorFormatException {
        int at = need(n);
        byte[] b = new byte[n];
        in.get(at, b);
        return new String(b, utf8 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
    }

    private byte[] bytes(int n) throws TensorFormatException {
        int at = need(n);
        byte[] b = new byte[n];
        in.get(at, b);
        return b;
    }

    /** LONG1/LONG4: little-endian two's complement. */
    private Object longOf(int n) throws TensorFormatException {
        int at = need(n);
        byte[] big = new byte[n];
        for (int i = 0; i < n; i++) {
            big[n - 1 - i] = in.get(at + i);
        }
        if (n == 0) {
            return 0L;
        }
        BigInteger v = new BigInteger(big);
        return v.bitLength() < 64 ? (Object) v.longValue() : v;
    }

    /** A newline-terminated line of a GLOBAL opcode, at most 256 bytes. */
    private String line() throws TensorFormatException {
        StringBuilder s = new StringBuilder();
        while (true) {
            if (!in.hasRemaining()) {
                throw new TruncatedException(what + ": the pickle ends inside GLOBAL at byte " + opStart + " (truncated)");
            }
            byte b = in.get();
            if (b == '\n') {
                return s.toString();
            }
            if (s.length() >= 256) {
                throw malformed("GLOBAL name longer than 256 bytes");
            }
            s.append((char) (b & 0xff));
        }
    }

    private TensorFormatException malformed(String why) {
        return new TensorFormatException(what + ": malformed pickle at byte " + opStart + ": " + why);
    }

    private static Map<Integer, String> opcodeNames() {
        Object[][] names = {
            {'(', "MARK"}, {'.', "STOP"}, {'0', "POP"}, {'1', "POP_MARK"}, {'2', "DUP"}, {'F', "FLOAT"}, {'I', "INT"},
            {'J', "BININT"}, {'K', "BININT1"}, {'L', "LONG"}, {'M', "BININT2"}, {'N', "NONE"}, {'P', "PERSID"},
            {'Q', "BINPERSID"}, {'R', "REDUCE"}, {'S', "STRING"}, {'T', "BINSTRING"}, {'U', "SHORT_BINSTRING"},
            {'V', "UNICODE"}, {'X', "BINUNICODE"}, {'a', "APPEND"}, {'b', "BUILD"}, {'c', "GLOBAL"}, {'d', "DICT"},
            {'}', "EMPTY_DICT"}, {'e', "APPENDS"}, {'g', "GET"}, {'h', "BINGET"}, {'i', "INST"}, {'j', "LONG_BINGET"},
            {'l', "LIST"}, {']', "EMPTY_LIST"}, {'o', "OBJ"}, {'p', "PUT"}, {'q', "BINPUT"}, {'r', "LONG_BINPUT"},
            {'s', "SETITEM"}, {'t', "TUPLE"}, {')', "EMPTY_TUPLE"}, {'u', "SETITEMS"}, {'G', "BINFLOAT"},
            {0x80, "PROTO"}, {0x81, "NEWOBJ"}, {0x82, "EXT1"}, {0x83, "EXT2"}, {0x84, "EXT4"}, {0x85, "TUPLE1"},
            {0x86, "TUPLE2"}, {0x87, "TUPLE3"}, {0x88, "NEWTRUE"}, {0x89, "NEWFALSE"}, {0x8a, "LONG1"}, {0x8b, "LONG4"},
            {'B', "BINBYTES"}, {'C', "SHORT_BINBYTES"}, {0x8c, "SHORT_BINUNICODE"}, {0x8d, "BINUNICODE8"},
            {0x8e, "BINBYTES8"}, {0x8f, "EMPTY_SET"}, {0x90, "ADDITEMS"}, {0x91, "FROZENSET"}, {0x92, "NEWOBJ_EX"},
            {0x93, "STACK_GLOBAL"}, {0x94, "MEMOIZE"}, {0x95, "FRAME"}, {0x96, "BYTEARRAY8"}, {0x97, "NEXT_BUFFER"},
            {0x98, "READONLY_BUFFER"},
        };
        Map<Integer, String> m = new HashMap<>();
        for (Object[] n : names) {
            int code = n[0] instanceof Character c ? c : (Integer) n[0];
            m.put(code, (String) n[1]);
        }
        return m;
    }
}
