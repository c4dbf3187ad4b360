package dev.ipckit.mmap;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;

/**
 * A piece of a shared mapping with the accessors the ring ends use on the file's header, named as Agrona's
 * {@code AtomicBuffer} names them ({@code getIntVolatile} loads with acquire, {@code putIntRelease} stores with
 * release) but built on {@link MemorySegment} and {@link VarHandle}: no {@code Unsafe}, so an end that uses only
 * the segment forms of the API needs no JVM flag for Agrona, and every access is bounds-checked against the
 * segment.
 */
final class SharedSegment {
    private static final VarHandle INT = ValueLayout.JAVA_INT.varHandle();
    private static final VarHandle LONG = ValueLayout.JAVA_LONG.varHandle();

    private final MemorySegment segment;

    /**
     * @param segment the memory, 8-byte aligned.
     */
    SharedSegment(final MemorySegment segment) {
        this.segment = segment;
    }

    /**
     * @return the memory.
     */
    MemorySegment segment() {
        return segment;
    }

    /**
     * @return its length in bytes.
     */
    int capacity() {
        return (int) segment.byteSize();
    }

    int getInt(final int index) {
        return (int) INT.get(segment, (long) index);
    }

    int getIntVolatile(final int index) {
        return (int) INT.getAcquire(segment, (long) index);
    }

    void putInt(final int index, final int value) {
        INT.set(segment, (long) index, value);
    }

    void putIntRelease(final int index, final int value) {
        INT.setRelease(segment, (long) index, value);
    }

    void putIntVolatile(final int index, final int value) {
        INT.setVolatile(segment, (long) index, value);
    }

    int getAndAddInt(final int index, final int delta) {
        return (int) INT.getAndAdd(segment, (long) index, delta);
    }

    boolean compareAndSetInt(final int index, final int expected, final int value) {
        return INT.compareAndSet(segment, (long) index, expected, value);
    }

    long getLong(final int index) {
        return (long) LONG.get(segment, (long) index);
    }

    long getLongVolatile(final int index) {
        return (long) LONG.getAcquire(segment, (long) index);
    }

    void putLong(final int index, final long value) {
        LONG.set(segment, (long) index, value);
    }

    void putLongRelease(final int index, final long value) {
        LONG.setRelease(segment, (long) index, value);
    }

    long getAndBitwiseOrLong(final int index, final long bits) {
        return (long) LONG.getAndBitwiseOr(segment, (long) index, bits);
    }

    long getAndBitwiseAndLong(final int index, final long bits) {
        return (long) LONG.getAndBitwiseAnd(segment, (long) index, bits);
    }

    boolean compareAndSetLong(final int index, final long expected, final long value) {
        return LONG.compareAndSet(segment, (long) index, expected, value);
    }

    void getBytes(final int index, final byte[] destination) {
        MemorySegment.copy(segment, ValueLayout.JAVA_BYTE, index, destination, 0, destination.length);
    }

    void putBytes(final int index, final byte[] source, final int offset, final int length) {
        MemorySegment.copy(source, offset, segment, ValueLayout.JAVA_BYTE, index, length);
    }

    void setMemory(final int index, final int length, final byte value) {
        segment.asSlice(index, length).fill(value);
    }
}
