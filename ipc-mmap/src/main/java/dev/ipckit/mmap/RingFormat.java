package dev.ipckit.mmap;

import java.util.Locale;

/**
 * The record format of a ring file's ring region, chosen by {@code format=} when the file is created and named in
 * its header (code and name, see {@link RingFileDescriptor}).
 */
public enum RingFormat {
    /**
     * ipckit's own ring, the default: stamped records, one cache line per small message, a reader that never
     * writes to the records (see {@link StampedRingDescriptor}).
     */
    IPCKIT(1, "ipckit"),
    /**
     * Agrona's record format: the ring region is an Agrona {@code OneToOneRingBuffer} (producers=one) or
     * {@code ManyToOneRingBuffer} (producers=many) with its trailer, readable by a plain Agrona ring over it.
     */
    AGRONA(2, "agrona");

    private final int code;
    private final String formatName;

    RingFormat(final int code, final String formatName) {
        this.code = code;
        this.formatName = formatName;
    }

    /**
     * @return the code stored in the header.
     */
    public int code() {
        return code;
    }

    /**
     * @return the name used in URIs and stored in the header.
     */
    public String formatName() {
        return formatName;
    }

    /**
     * @param code a code from a header.
     * @return its format, or null when no format has it.
     */
    public static RingFormat ofCode(final int code) {
        for (final RingFormat format : values()) {
            if (format.code == code) {
                return format;
            }
        }
        return null;
    }

    /**
     * @param name a {@code format=} value.
     * @return its format, or null when none has that name.
     */
    public static RingFormat named(final String name) {
        final String lower = name.toLowerCase(Locale.ROOT);
        for (final RingFormat format : values()) {
            if (format.formatName.equals(lower)) {
                return format;
            }
        }
        return null;
    }
}
