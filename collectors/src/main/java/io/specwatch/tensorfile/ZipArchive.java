package io.specwatch.tensorfile;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The central directory of a zip archive (what {@code torch.save} and {@code numpy.savez} write),
 * ZIP64 included: every member's name, method, sizes and the offset of its data, all checked to lie
 * inside the file before anything is read. Encrypted members, multi-disk archives and methods other
 * than stored and deflate are refused. Nothing is decompressed here.
 */
final class ZipArchive {

    static final int STORED = 0;
    static final int DEFLATED = 8;

    private static final int EOCD = 0x06054b50;
    private static final int ZIP64_LOCATOR = 0x07064b50;
    private static final int ZIP64_EOCD = 0x06064b50;
    private static final int CENTRAL = 0x02014b50;
    private static final int LOCAL = 0x04034b50;
    private static final long U32 = 0xffffffffL;

    /** One member: {@code dataOffset} is where its (possibly compressed) bytes start. */
    record Member(String name, int method, long compressedSize, long size, long dataOffset, int crc) {
    }

    private final Map<String, Member> members;

    private ZipArchive(Map<String, Member> members) {
        this.members = members;
    }

    /** True when the file starts like a zip archive (a local file header). */
    static boolean hasMagic(ByteBuffer prefix) {
        return prefix.remaining() >= 4 && prefix.getInt(prefix.position()) == LOCAL;
    }

    Map<String, Member> members() {
        return Collections.unmodifiableMap(members);
    }

    Member member(String name) {
        return members.get(name);
    }

    static ZipArchive read(MappedFile file, int maxMembers) throws TensorFormatException {
        long size = file.size();
        int tail = (int) Math.min(size, 22 + 65535);
        ByteBuffer end = file.read(size - tail, tail);
        int at = -1;
        for (int i = tail - 22; i >= 0; i--) {
            if (end.getInt(i) == EOCD && i + 22 + (end.getShort(i + 20) & 0xffff) <= tail) {
                at = i;
                break;
            }
        }
        if (at < 0) {
            throw new TruncatedException("no zip end-of-central-directory record: the archive is truncated or still being written");
        }
        long eocd = size - tail + at;
        int disk = end.getShort(at + 4) & 0xffff;
        int cdDisk = end.getShort(at + 6) & 0xffff;
        long count = end.getShort(at + 10) & 0xffff;
        long cdSize = end.getInt(at + 12) & U32;
        long cdOffset = end.getInt(at + 16) & U32;
        long cdEnd = eocd;
        if (at >= 20 && end.getInt(at - 20) == ZIP64_LOCATOR) {
            long recordOffset = end.getLong(at - 20 + 8);
            if (recordOffset < 0 || recordOffset > eocd - 20 - 56) {
                throw new TensorFormatException("ZIP64 end record offset " + recordOffset + " lies outside the archive");
            }
            ByteBuffer z = file.read(recordOffset, 56);
            if (z.getInt(0) != ZIP64_EOCD) {
                throw new TensorFormatException("ZIP64 end record missing at offset " + recordOffset);
            }
            disk = z.getInt(16);
            cdDisk = z.getInt(20);
            count = z.getLong(32);
            cdSize = z.getLong(40);
            cdOffset = z.getLong(48);
            cdEnd = recordOffset;
        }
        if (disk != 0 || cdDisk != 0) {
            throw new TensorFormatException("multi-disk zip archives are not supported");
        }
        if (count < 0 || count > maxMembers) {
            throw new TensorFormatException("the archive lists " + Long.toUnsignedString(count) + " members, more than the "
                    + maxMembers + " allowed");
        }
        if (cdOffset < 0 || cdSize < 0 || cdOffset > cdEnd || cdSize > cdEnd - cdOffset || cdSize < 46 * count) {
            throw new TensorFormatException("zip central directory (" + cdSize + " bytes at " + cdOffset
                    + ") does not fit before its end record at " + cdEnd);
        }
        Heap.require(4 * cdSize + 200 * count, "the zip central directory");
        ByteBuffer cd = file.map(cdOffset, cdSize);
        Map<String, Member> members = new LinkedHashMap<>();
        List<long[]> locals = new ArrayList<>();
        int p = 0;
        for (long i = 0; i < count; i++) {
            if (p + 46 > cdSize || cd.getInt(p) != CENTRAL) {
                throw new TensorFormatException("zip central directory entry " + i + " is malformed");
            }
            int flags = cd.getShort(p + 8) & 0xffff;
            int method = cd.getShort(p + 10) & 0xffff;
            int crc = cd.getInt(p + 16);
            long compressed = cd.getInt(p + 20) & U32;
            long uncompressed = cd.getInt(p + 24) & U32;
            int nameLength = cd.getShort(p + 28) & 0xffff;
            int extraLength = cd.getShort(p + 30) & 0xffff;
            int commentLength = cd.getShort(p + 32) & 0xffff;
            long memberDisk = cd.getShort(p + 34) & 0xffff;
            long local = cd.getInt(p + 42) & U32;
            if (p + 46L + nameLength + extraLength + commentLength > cdSize) {
                throw new TensorFormatException("zip central directory entry " + i + " runs past the directory");
            }
            byte[] nameBytes = new byte[nameLength];
            cd.get(p + 46, nameBytes);
            String name = new String(nameBytes, (flags & 0x800) != 0 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
            // ZIP64 extra field: the 64-bit values of the fields that read 0xffffffff, in this order
            int x = p + 46 + nameLength;
            int xEnd = x + extraLength;
            while (x + 4 <= xEnd) {
                int id = cd.getShort(x) & 0xffff;
                int length = cd.getShort(x + 2) & 0xffff;
                if (x + 4 + length > xEnd) {
                    throw new TensorFormatException("zip member '" + Printable.of(name) + "' has a malformed extra field");
                }
                if (id == 0x0001) {
                    int v = x + 4;
                    if (uncompressed == U32) {
                        uncompressed = zip64(cd, v, x + 4 + length, name);
                        v += 8;
                    }
                    if (compressed == U32) {
                        compressed = zip64(cd, v, x + 4 + length, name);
                        v += 8;
                    }
                    if (local == U32) {
                        local = zip64(cd, v, x + 4 + length, name);
                        v += 8;
                    }
                    if (memberDisk == 0xffff) {
                        memberDisk = v + 4 <= x + 4 + length ? cd.getInt(v) & U32 : -1;
                    }
                }
                x += 4 + length;
            }
            String shown = Printable.of(name);
            if ((flags & 1) != 0) {
                throw new TensorFormatException("zip member '" + shown + "' is encrypted: not supported");
            }
            if (method != STORED && method != DEFLATED) {
                throw new TensorFormatException("zip member '" + shown + "' uses compression method " + method
                        + " (only stored and deflate are supported)");
            }
            if (memberDisk != 0) {
                throw new TensorFormatException("multi-disk zip archives are not supported");
            }
            if (method == STORED && compressed != uncompressed) {
                throw new TensorFormatException("zip member '" + shown + "' is stored but its sizes differ");
            }
            if (local > cdOffset - 30 || compressed > cdOffset) {
                throw new TensorFormatException("zip member '" + shown + "' lies outside the archive (offset " + local + ")");
            }
            if (members.put(name, new Member(name, method, compressed, uncompressed, -1, crc)) != null) {
                throw new TensorFormatException("zip member '" + shown + "' appears twice");
            }
            locals.add(new long[] {local});
            p += 46 + nameLength + extraLength + commentLength;
        }
        // the data starts after each member's local header, whose name and extra lengths can differ from the central copy
        int i = 0;
        for (Map.Entry<String, Member> e : members.entrySet()) {
            Member m = e.getValue();
            long local = locals.get(i++)[0];
            ByteBuffer header = file.read(local, 30);
            if (header.getInt(0) != LOCAL) {
                throw new TensorFormatException("zip member '" + Printable.of(m.name()) + "': no local header at offset " + local);
            }
            long data = local + 30 + (header.getShort(26) & 0xffff) + (header.getShort(28) & 0xffff);
            if (data > cdOffset || m.compressedSize() > cdOffset - data) {
                throw new TensorFormatException("zip member '" + Printable.of(m.name()) + "' (" + m.compressedSize()
                        + " bytes at " + data + ") runs past the archive's data");
            }
            e.setValue(new Member(m.name(), m.method(), m.compressedSize(), m.size(), data, m.crc()));
        }
        return new ZipArchive(members);
    }

    private static long zip64(ByteBuffer cd, int at, int end, String name) throws TensorFormatException {
        if (at + 8 > end) {
            throw new TensorFormatException("zip member '" + Printable.of(name) + "' has a short ZIP64 extra field");
        }
        long v = cd.getLong(at);
        if (v < 0) {
            throw new TensorFormatException("zip member '" + Printable.of(name) + "' has a size beyond 2^63");
        }
        return v;
    }
}
