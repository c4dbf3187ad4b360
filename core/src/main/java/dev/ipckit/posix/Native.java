package dev.ipckit.posix;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.util.Arrays;

/**
 * The shared plumbing of the binding classes: the linker, the C library's symbols, and errno capture.
 *
 * <p>Every binding captures errno with {@link Linker.Option#captureCallState(String...)} into a segment
 * owned by the calling thread ({@link #state()}), so that a failed call's errno is read without allocating.
 * Calls that cannot block (non-blocking read/write, fcntl, getpid, tgkill) are linked with
 * {@link Linker.Option#critical(boolean) critical(false)}; calls that can block never are.
 */
final class Native {
    static final Linker LINKER = Linker.nativeLinker();
    static final SymbolLookup LIBC = LINKER.defaultLookup();
    static final boolean AARCH64 = "aarch64".equals(System.getProperty("os.arch"));

    private static final StructLayout CAPTURE_LAYOUT = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = CAPTURE_LAYOUT.varHandle(groupElement("errno"));
    private static final Linker.Option CAPTURE_ERRNO = Linker.Option.captureCallState("errno");
    private static final ThreadLocal<MemorySegment> STATE =
        ThreadLocal.withInitial(() -> Arena.ofAuto().allocate(CAPTURE_LAYOUT));
    /** Size of the per-thread scratch segment for small out-parameters (pollfd, timespec, siginfo). */
    static final long SCRATCH_SIZE = 512;
    private static final ThreadLocal<MemorySegment> SCRATCH =
        ThreadLocal.withInitial(() -> Arena.ofAuto().allocate(SCRATCH_SIZE, 16));

    static {
        if (!System.getProperty("os.name", "").toLowerCase(java.util.Locale.ROOT).contains("linux")) {
            throw new UnsupportedOperationException("ipckit runs on Linux only; this is " + System.getProperty("os.name"));
        }
    }

    private Native() {
    }

    /**
     * Links a C library function whose errno is captured: the handle's first parameter is {@link #state()}.
     *
     * @param name the symbol.
     * @param descriptor its C signature.
     * @param options extra linker options (critical, firstVariadicArg).
     * @return the handle.
     */
    static MethodHandle errnoCall(final String name, final FunctionDescriptor descriptor, final Linker.Option... options) {
        final Linker.Option[] all = Arrays.copyOf(options, options.length + 1);
        all[options.length] = CAPTURE_ERRNO;
        return link(name, descriptor, all);
    }

    /**
     * Links a C library function that cannot fail, without errno capture.
     *
     * @param name the symbol.
     * @param descriptor its C signature.
     * @param options extra linker options.
     * @return the handle.
     */
    static MethodHandle call(final String name, final FunctionDescriptor descriptor, final Linker.Option... options) {
        return link(name, descriptor, options);
    }

    private static MethodHandle link(final String name, final FunctionDescriptor descriptor, final Linker.Option... options) {
        final MemorySegment symbol = LIBC.find(name).orElseThrow(() -> new UnsupportedOperationException(
            "the C library has no symbol '" + name + "'; ipckit needs glibc 2.34 or newer on Linux"));
        try {
            return LINKER.downcallHandle(symbol, descriptor, options);
        } catch (final IllegalCallerException e) {
            throw new UnsupportedOperationException("native access to '" + name + "' is not enabled; start the JVM with "
                + "--enable-native-access=ALL-UNNAMED (and --add-exports java.base/jdk.internal.misc=ALL-UNNAMED for Agrona)", e);
        }
    }

    /**
     * @return the calling thread's errno capture segment, allocated once per thread.
     */
    static MemorySegment state() {
        return STATE.get();
    }

    /**
     * A per-thread segment for the small structures a single call passes (pollfd, timespec, siginfo), so
     * that waiting paths allocate nothing. A binding uses it only for the duration of one call.
     *
     * @return the calling thread's scratch segment, {@link #SCRATCH_SIZE} bytes, 16-byte aligned.
     */
    static MemorySegment scratch() {
        return SCRATCH.get();
    }

    /**
     * @return the errno captured by the calling thread's most recent errno-capturing call.
     */
    static int errno() {
        return (int) ERRNO.get(STATE.get(), 0L);
    }

    /**
     * Turns a Throwable out of {@code invokeExact} into an unchecked one.
     *
     * @param t what the call threw.
     * @return never returns normally; the declared type lets callers write {@code throw rethrow(t)}.
     */
    static RuntimeException rethrow(final Throwable t) {
        if (t instanceof RuntimeException r) {
            throw r;
        }
        if (t instanceof Error e) {
            throw e;
        }
        throw new IllegalStateException("native call failed unexpectedly", t);
    }

    /**
     * Checks a C return value.
     *
     * @param result the return value: negative errno values (as returned by ipckit's raw calls) are failures.
     * @param call the C function.
     * @param argument its key argument.
     * @return {@code result} when not negative.
     */
    static int check(final int result, final String call, final String argument) {
        if (result < 0) {
            throw new NativeException(call, argument, -result);
        }
        return result;
    }
}
