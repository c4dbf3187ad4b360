package dev.ipckit.mmap;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import org.agrona.BitUtil;

import dev.ipckit.ChannelException;

/**
 * What the ring header validator ({@link RingFileDescriptor#checkHeader}) must do with any header and any file
 * size, checked against the rules written out again here: accept exactly the headers those rules accept, and
 * refuse every other with a {@link ChannelException} that names the file and the first field that is wrong;
 * throw nothing else. The stored wait name must read back whatever its bytes.
 *
 * <p>The input is interpreted as: byte 0 even, a valid header (capacity and maxMessage from bytes 1-2) changed
 * by patches of 6 bytes each (a field offset and an int), with the file size off by a delta from byte 3 one time
 * in four; byte 0 odd, the header's first 128 bytes taken raw from byte 9 on, and the file size from bytes 1-8.
 * Both the Jazzer fuzz test and the seeded random test drive this one property.
 */
final class RingHeaderProperty {
    /** The path errors must name. */
    static final String PATH = "/dev/shm/fuzzed-ring";
    /** The header bytes the validator reads (static fields), with room to spare. */
    private static final int FIELDS = 128;

    private final MemorySegment memory = Arena.ofAuto().allocate(RingFileDescriptor.HEADER_LENGTH, 8);
    private final SharedSegment header = new SharedSegment(memory);
    private long accepted;
    private long refused;

    /**
     * Runs one input.
     *
     * @param data any bytes.
     * @throws AssertionError when the validator breaks a rule.
     */
    void check(final byte[] data) {
        header.setMemory(0, FIELDS, (byte) 0);
        final ByteBuffer in = ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN);
        final long fileSize;
        if (data.length == 0 || (data[0] & 1) == 0) {
            final int capacity = 1 << (10 + (data.length > 1 ? (data[1] & 0xFF) % 21 : 0));
            final int limit = RingFileDescriptor.maxMessageLimit(capacity);
            final int maxMessage = data.length > 2 ? (data[2] & 0xFF) * limit / 255 : limit;
            final RingFormat format = data.length > 1 && (data[1] & 0x40) != 0 ? RingFormat.AGRONA : RingFormat.IPCKIT;
            RingFileDescriptor.initialise(header, capacity, maxMessage,
                data.length > 1 && (data[1] & 0x80) != 0 ? RingFileDescriptor.FLAG_MANY_PRODUCERS : 0,
                "futex", format, 1, 0x5eed, 42, 1_700_000_000_000L);
            final int delta = data.length > 3 && (data[3] & 3) == 0 ? (data[3] >> 2) * 8 : 0;
            fileSize = RingFileDescriptor.fileLength(capacity, format, 1) + delta;
            in.position(Math.min(4, data.length));
            while (in.remaining() >= 6) {
                final int offset = (in.getShort() & 0xFFFF) % (FIELDS - 3);
                memory.set(ValueLayout.JAVA_INT_UNALIGNED, offset, in.getInt());
            }
        } else {
            fileSize = data.length >= 9 ? in.getLong(1) : 0;
            header.putBytes(0, data, Math.min(9, data.length), Math.min(FIELDS, Math.max(0, data.length - 9)));
        }
        final String broken = firstBrokenRule(header, fileSize);
        try {
            RingFileDescriptor.checkHeader(header, fileSize, PATH);
        } catch (final ChannelException e) {
            refused++;
            if (broken == null) {
                throw new AssertionError("a valid header was refused: " + e.getMessage());
            }
            if (!e.getMessage().startsWith(PATH + " ") || !e.getMessage().contains(broken)) {
                throw new AssertionError("the refusal does not name the file and '" + broken + "': " + e.getMessage());
            }
            RingFileDescriptor.waitName(header);
            return;
        }
        accepted++;
        if (broken != null) {
            throw new AssertionError("a header breaking the rule on '" + broken + "' was accepted (file size "
                + fileSize + ")");
        }
        RingFileDescriptor.waitName(header);
    }

    /**
     * The validation rules, in the order the validator applies them.
     *
     * @return the words that name the first rule broken in the validator's message, or null when none is.
     */
    static String firstBrokenRule(final SharedSegment header, final long fileSize) {
        if (header.getLong(RingFileDescriptor.MAGIC_OFFSET) != RingFileDescriptor.MAGIC) {
            return "magic app=0x474e49524b435049";
        }
        if (header.getInt(RingFileDescriptor.VERSION_OFFSET) != RingFileDescriptor.LAYOUT_VERSION) {
            return "layout version: app=2 file=" + header.getInt(RingFileDescriptor.VERSION_OFFSET);
        }
        if (header.getInt(RingFileDescriptor.HEADER_LENGTH_OFFSET) != RingFileDescriptor.HEADER_LENGTH) {
            return "header length app=8192";
        }
        final int capacity = header.getInt(RingFileDescriptor.CAPACITY_OFFSET);
        if (capacity < 1024 || capacity > 1 << 30 || !BitUtil.isPowerOfTwo(capacity)) {
            return "capacity file=" + capacity;
        }
        final int maxMessage = header.getInt(RingFileDescriptor.MAX_MESSAGE_OFFSET);
        if (maxMessage < 0 || maxMessage > Math.max(8, capacity / 8)) {
            return "maxMessage file=" + maxMessage;
        }
        final int format = header.getInt(RingFileDescriptor.FORMAT_OFFSET);
        if (format != 1 && format != 2) {
            return "format code file=" + format;
        }
        final int subscribers = header.getInt(RingFileDescriptor.SUBSCRIBERS_OFFSET);
        if (subscribers < 1 || subscribers > 64 || subscribers != 1 && format != 1) {
            return "subscribers file=" + subscribers;
        }
        final long trailer = format == 2 ? 768 : 128 + 128L * subscribers;
        final long fileLength = header.getLong(RingFileDescriptor.FILE_LENGTH_OFFSET);
        if (fileLength != 8192L + capacity + trailer) {
            return "file length app=" + (8192L + capacity + trailer) + " file=" + fileLength;
        }
        if (fileSize != fileLength) {
            return "size app=" + fileLength + " file=" + fileSize;
        }
        final int waitCode = (header.getInt(RingFileDescriptor.FLAGS_OFFSET) >>> 8) & 0xFF;
        if (waitCode >= WaitMode.values().length) {
            return "wait code file=" + waitCode;
        }
        return null;
    }

    /**
     * @return headers accepted so far.
     */
    long accepted() {
        return accepted;
    }

    /**
     * @return headers refused so far.
     */
    long refused() {
        return refused;
    }
}
