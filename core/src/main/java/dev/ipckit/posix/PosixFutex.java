package dev.ipckit.posix;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

/**
 * futex(2) through syscall(2), on words in shared mappings: FUTEX_WAIT and FUTEX_WAKE without
 * FUTEX_PRIVATE_FLAG, so waiters and wakers may be in different processes.
 */
public final class PosixFutex {
    /** Sleep while the word holds an expected value. */
    public static final int FUTEX_WAIT = 0;
    /** Wake sleepers on the word. */
    public static final int FUTEX_WAKE = 1;

    private static final long SYS_FUTEX = Native.AARCH64 ? 98 : 202;

    private static final MethodHandle FUTEX_WAIT_CALL = Native.errnoCall("syscall",
        FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, ADDRESS, JAVA_INT, JAVA_INT, ADDRESS, ADDRESS, JAVA_INT),
        Linker.Option.firstVariadicArg(1));
    private static final MethodHandle FUTEX_WAKE_CALL = Native.errnoCall("syscall",
        FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, ADDRESS, JAVA_INT, JAVA_INT, ADDRESS, ADDRESS, JAVA_INT),
        Linker.Option.firstVariadicArg(1), Linker.Option.critical(false));

    private PosixFutex() {
    }

    /**
     * Sleeps while the 4-byte word at {@code word} holds {@code expected}, up to a timeout. Allocates nothing.
     *
     * @param word a 4-byte aligned int in a shared mapping.
     * @param expected the value that means "keep sleeping".
     * @param timeoutNanos the longest sleep (relative).
     * @return 0 when woken, or a negative errno: {@code -EAGAIN} when the word no longer held
     *     {@code expected}, {@code -ETIMEDOUT}, {@code -EINTR}.
     */
    public static int await(final MemorySegment word, final int expected, final long timeoutNanos) {
        final MemorySegment timespec = Native.scratch().asSlice(0, 16);
        timespec.set(JAVA_LONG, 0, timeoutNanos / 1_000_000_000L);
        timespec.set(JAVA_LONG, 8, timeoutNanos % 1_000_000_000L);
        try {
            final long r = (long) FUTEX_WAIT_CALL.invokeExact(Native.state(), SYS_FUTEX, word, FUTEX_WAIT, expected,
                timespec, MemorySegment.NULL, 0);
            return r < 0 ? -Native.errno() : 0;
        } catch (final Throwable t) {
            throw Native.rethrow(t);
        }
    }

    /**
     * Wakes up to {@code count} sleepers on the word.
     *
     * @param word a 4-byte aligned int in a shared mapping.
     * @param count how many sleepers to wake, e.g. 1 or {@link Integer#MAX_VALUE}.
     * @return how many were woken, or a negative errno.
     */
    public static int wake(final MemorySegment word, final int count) {
        try {
            final long r = (long) FUTEX_WAKE_CALL.invokeExact(Native.state(), SYS_FUTEX, word, FUTEX_WAKE, count,
                MemorySegment.NULL, MemorySegment.NULL, 0);
            return r < 0 ? -Native.errno() : (int) r;
        } catch (final Throwable t) {
            throw Native.rethrow(t);
        }
    }
}
