package dev.ipckit.posix;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

/**
 * Shared mappings and file locks: mmap, munmap, open-file-description locks (F_OFD_SETLK/F_OFD_GETLK) and
 * flock.
 *
 * <p>OFD locks belong to the open file description, not the process: two descriptors opened separately
 * conflict even inside one process, and the kernel drops the lock when the last descriptor of that
 * description closes, including when the process dies. That makes "is my peer alive" a lock test.
 */
public final class PosixMemory {
    /** Pages may be read. */
    public static final int PROT_READ = 1;
    /** Pages may be written. */
    public static final int PROT_WRITE = 2;
    /** Share the mapping with every process that maps the file. */
    public static final int MAP_SHARED = 1;
    /** Lock type: shared (read) lock. */
    public static final short F_RDLCK = 0;
    /** Lock type: exclusive (write) lock. */
    public static final short F_WRLCK = 1;
    /** Lock type: unlock / no conflicting lock. */
    public static final short F_UNLCK = 2;
    /** fcntl: test for a conflicting OFD lock. */
    public static final int F_OFD_GETLK = 36;
    /** fcntl: take or release an OFD lock without waiting. */
    public static final int F_OFD_SETLK = 37;
    /** flock: shared lock. */
    public static final int LOCK_SH = 1;
    /** flock: exclusive lock. */
    public static final int LOCK_EX = 2;
    /** flock: do not wait. */
    public static final int LOCK_NB = 4;
    /** flock: unlock. */
    public static final int LOCK_UN = 8;

    private static final MethodHandle MMAP = Native.errnoCall("mmap",
        FunctionDescriptor.of(ADDRESS, ADDRESS, JAVA_LONG, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_LONG));
    private static final MethodHandle MUNMAP = Native.errnoCall("munmap", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG));
    private static final MethodHandle FCNTL_PTR = Native.errnoCall("fcntl",
        FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS), Linker.Option.firstVariadicArg(2),
        Linker.Option.critical(false));
    private static final MethodHandle FLOCK = Native.errnoCall("flock", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));

    private PosixMemory() {
    }

    /**
     * mmap(2) of a file.
     *
     * @param fd the file.
     * @param length bytes to map.
     * @param prot PROT_* bits.
     * @param flags MAP_* bits, e.g. {@link #MAP_SHARED}.
     * @param offset in the file, a multiple of the page size.
     * @return the mapping, {@code length} bytes long, never freed automatically: call {@link #munmap}.
     */
    public static MemorySegment mmap(final int fd, final long length, final int prot, final int flags, final long offset) {
        final MemorySegment address;
        try {
            address = (MemorySegment) MMAP.invokeExact(Native.state(), MemorySegment.NULL, length, prot, flags, fd, offset);
        } catch (final Throwable t) {
            throw Native.rethrow(t);
        }
        if (address.address() == -1L) {
            final int errno = Native.errno();
            throw new NativeException("mmap", "fd=" + fd + ", length=" + length + ", offset=" + offset, errno,
                errno == Errno.ENOMEM ? "the address space or map count is exhausted; review 'ulimit -v' and "
                    + "'sysctl vm.max_map_count'" : null);
        }
        return address.reinterpret(length);
    }

    /**
     * munmap(2).
     *
     * @param mapping a segment returned by {@link #mmap}.
     */
    public static void munmap(final MemorySegment mapping) {
        final int r;
        try {
            r = (int) MUNMAP.invokeExact(Native.state(), mapping, mapping.byteSize());
        } catch (final Throwable t) {
            throw Native.rethrow(t);
        }
        if (r < 0) {
            throw new NativeException("munmap", "0x" + Long.toHexString(mapping.address()) + ", " + mapping.byteSize(),
                Native.errno());
        }
    }

    /**
     * Takes (or with {@link #F_UNLCK} releases) an OFD lock on a byte range without waiting.
     *
     * @param fd the descriptor whose open file description will own the lock.
     * @param type {@link #F_RDLCK}, {@link #F_WRLCK} or {@link #F_UNLCK}.
     * @param start first byte.
     * @param length bytes covered (0 = to the end of the file and beyond).
     * @return 0, or a negative errno ({@code -EAGAIN} when another description holds a conflicting lock).
     */
    public static int trySetOfdLock(final int fd, final short type, final long start, final long length) {
        final MemorySegment flock = flock(type, start, length);
        try {
            final int r = (int) FCNTL_PTR.invokeExact(Native.state(), fd, F_OFD_SETLK, flock);
            return r < 0 ? -Native.errno() : 0;
        } catch (final Throwable t) {
            throw Native.rethrow(t);
        }
    }

    /**
     * Tests whether an OFD lock of {@code type} could be taken on a byte range.
     *
     * @param fd any descriptor of the file.
     * @param type the lock one would take.
     * @param start first byte.
     * @param length bytes covered.
     * @return the type of a conflicting lock ({@link #F_RDLCK} or {@link #F_WRLCK}), or {@link #F_UNLCK} when
     *     none conflicts. Locks held through {@code fd}'s own description never conflict.
     */
    public static short ofdLockHeld(final int fd, final short type, final long start, final long length) {
        final MemorySegment flock = flock(type, start, length);
        final int r;
        try {
            r = (int) FCNTL_PTR.invokeExact(Native.state(), fd, F_OFD_GETLK, flock);
        } catch (final Throwable t) {
            throw Native.rethrow(t);
        }
        if (r < 0) {
            throw new NativeException("fcntl", "fd=" + fd + ", F_OFD_GETLK, start=" + start, Native.errno());
        }
        return flock.get(JAVA_SHORT, 0);
    }

    /**
     * Finds the first lock of another open file description that conflicts with {@code type} on a byte range, and
     * says where it starts: with locks placed at an offset that encodes something (a pid), this reads it back,
     * which {@code l_pid} cannot do for OFD locks (the kernel reports -1 there).
     *
     * @param fd any descriptor of the file.
     * @param type the lock one would take.
     * @param start first byte of the range searched.
     * @param length bytes of the range.
     * @return the first byte of a conflicting lock, or -1 when none conflicts.
     */
    public static long ofdLockConflictStart(final int fd, final short type, final long start, final long length) {
        final MemorySegment flock = flock(type, start, length);
        final int r;
        try {
            r = (int) FCNTL_PTR.invokeExact(Native.state(), fd, F_OFD_GETLK, flock);
        } catch (final Throwable t) {
            throw Native.rethrow(t);
        }
        if (r < 0) {
            throw new NativeException("fcntl", "fd=" + fd + ", F_OFD_GETLK, start=" + start, Native.errno());
        }
        return flock.get(JAVA_SHORT, 0) == F_UNLCK ? -1 : flock.get(JAVA_LONG, 8);
    }

    private static MemorySegment flock(final short type, final long start, final long length) {
        // struct flock { short l_type @0; short l_whence @2; off_t l_start @8; off_t l_len @16; pid_t l_pid @24; }
        final MemorySegment flock = Native.scratch();
        flock.fill((byte) 0);
        flock.set(JAVA_SHORT, 0, type);
        flock.set(JAVA_SHORT, 2, (short) 0); // SEEK_SET
        flock.set(JAVA_LONG, 8, start);
        flock.set(JAVA_LONG, 16, length);
        return flock;
    }

    /**
     * flock(2) without an exception.
     *
     * @param fd the descriptor.
     * @param operation LOCK_SH, LOCK_EX or LOCK_UN, optionally | LOCK_NB.
     * @return 0, or a negative errno ({@code -EAGAIN} (EWOULDBLOCK) when held elsewhere and LOCK_NB).
     */
    public static int tryFlock(final int fd, final int operation) {
        try {
            final int r = (int) FLOCK.invokeExact(Native.state(), fd, operation);
            return r < 0 ? -Native.errno() : 0;
        } catch (final Throwable t) {
            throw Native.rethrow(t);
        }
    }
}
