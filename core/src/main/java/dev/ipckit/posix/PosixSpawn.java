package dev.ipckit.posix;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * posix_spawn(3) with file actions: start a program whose descriptors 0-2 are this process's and whose
 * descriptors 3, 4, ... are chosen ends of pipes, with every other descriptor closed, the signal mask
 * emptied and every signal disposition reset to default.
 */
public final class PosixSpawn {
    private static final long FILE_ACTIONS_SIZE = 512; // glibc's posix_spawn_file_actions_t is 80 bytes
    private static final long ATTR_SIZE = 512; // glibc's posix_spawnattr_t is 336 bytes
    private static final short POSIX_SPAWN_SETSIGDEF = 0x04;
    private static final short POSIX_SPAWN_SETSIGMASK = 0x08;
    private static final int FIRST_TEMPORARY_FD = 64;

    private static final MethodHandle FA_INIT = Native.call("posix_spawn_file_actions_init", FunctionDescriptor.of(JAVA_INT, ADDRESS));
    private static final MethodHandle FA_DESTROY = Native.call("posix_spawn_file_actions_destroy", FunctionDescriptor.of(JAVA_INT, ADDRESS));
    private static final MethodHandle FA_ADDDUP2 = Native.call("posix_spawn_file_actions_adddup2",
        FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT));
    private static final MethodHandle FA_ADDCLOSE = Native.call("posix_spawn_file_actions_addclose",
        FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
    private static final Optional<MethodHandle> FA_ADDCLOSEFROM = Native.LIBC.find("posix_spawn_file_actions_addclosefrom_np")
        .map(symbol -> Native.LINKER.downcallHandle(symbol, FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT)));
    private static final MethodHandle ATTR_INIT = Native.call("posix_spawnattr_init", FunctionDescriptor.of(JAVA_INT, ADDRESS));
    private static final MethodHandle ATTR_DESTROY = Native.call("posix_spawnattr_destroy", FunctionDescriptor.of(JAVA_INT, ADDRESS));
    private static final MethodHandle ATTR_SETFLAGS = Native.call("posix_spawnattr_setflags",
        FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_SHORT));
    private static final MethodHandle ATTR_SETSIGMASK = Native.call("posix_spawnattr_setsigmask",
        FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
    private static final MethodHandle ATTR_SETSIGDEFAULT = Native.call("posix_spawnattr_setsigdefault",
        FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
    private static final MethodHandle SPAWNP = Native.call("posix_spawnp",
        FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS));
    private static final MemorySegment ENVIRON = Native.LIBC.find("environ")
        .orElseThrow(() -> new UnsupportedOperationException("the C library has no symbol 'environ'"))
        .reinterpret(ADDRESS.byteSize());

    private PosixSpawn() {
    }

    /**
     * Starts a program. The child gets this process's environment and descriptors 0, 1 and 2; for each
     * entry of {@code descriptors}, the child's descriptor {@code key} is a duplicate of this process's
     * descriptor {@code value}; every other descriptor is closed in the child.
     *
     * @param argv the program (looked up in PATH when it has no slash) and its arguments.
     * @param descriptors child descriptor (3 and up) to this process's descriptor.
     * @return the child's pid; reap it with {@link PosixProcess#waitpid}.
     */
    public static int spawn(final List<String> argv, final Map<Integer, Integer> descriptors) {
        if (argv.isEmpty()) {
            throw new IllegalArgumentException("argv is empty; give at least the program to run");
        }
        final TreeMap<Integer, Integer> byChildFd = new TreeMap<>(descriptors);
        for (final int childFd : byChildFd.keySet()) {
            if (childFd < 3 || childFd >= FIRST_TEMPORARY_FD) {
                throw new IllegalArgumentException("child descriptor " + childFd + " is outside 3.." + (FIRST_TEMPORARY_FD - 1));
            }
        }
        final List<Integer> temporaries = new ArrayList<>();
        try (Arena arena = Arena.ofConfined()) {
            final MemorySegment actions = arena.allocate(FILE_ACTIONS_SIZE, 16);
            final MemorySegment attr = arena.allocate(ATTR_SIZE, 16);
            checkZero("posix_spawn_file_actions_init", (int) FA_INIT.invokeExact(actions));
            checkZero("posix_spawnattr_init", (int) ATTR_INIT.invokeExact(attr));
            try {
                // Move every source above the targets first, so that no dup2 overwrites a later source.
                for (final Map.Entry<Integer, Integer> e : byChildFd.entrySet()) {
                    final int temporary = PosixFiles.fcntl(e.getValue(), PosixFiles.F_DUPFD_CLOEXEC, FIRST_TEMPORARY_FD);
                    temporaries.add(temporary);
                    checkZero("posix_spawn_file_actions_adddup2", (int) FA_ADDDUP2.invokeExact(actions, temporary, (int) e.getKey()));
                }
                final int highest = byChildFd.isEmpty() ? 2 : byChildFd.lastKey();
                for (int fd = 3; fd < highest; fd++) {
                    if (!byChildFd.containsKey(fd)) {
                        checkZero("posix_spawn_file_actions_addclose", (int) FA_ADDCLOSE.invokeExact(actions, fd));
                    }
                }
                if (FA_ADDCLOSEFROM.isPresent()) {
                    checkZero("posix_spawn_file_actions_addclosefrom_np",
                        (int) FA_ADDCLOSEFROM.get().invokeExact(actions, highest + 1));
                }
                checkZero("posix_spawnattr_setflags", (int) ATTR_SETFLAGS.invokeExact(attr,
                    (short) (POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK)));
                checkZero("posix_spawnattr_setsigmask", (int) ATTR_SETSIGMASK.invokeExact(attr, PosixSignals.sigset(arena)));
                checkZero("posix_spawnattr_setsigdefault",
                    (int) ATTR_SETSIGDEFAULT.invokeExact(attr, PosixSignals.fullSigset(arena)));

                final MemorySegment cArgv = arena.allocate(ADDRESS, argv.size() + 1L);
                for (int i = 0; i < argv.size(); i++) {
                    cArgv.setAtIndex(ADDRESS, i, arena.allocateFrom(argv.get(i)));
                }
                cArgv.setAtIndex(ADDRESS, argv.size(), MemorySegment.NULL);
                final MemorySegment pid = arena.allocate(JAVA_INT);
                final MemorySegment environ = ENVIRON.get(ADDRESS, 0);
                final int r = (int) SPAWNP.invokeExact(pid, arena.allocateFrom(argv.get(0)), actions, attr, cArgv, environ);
                if (r != 0) {
                    throw new NativeException("posix_spawnp", NativeException.quote(argv.get(0)), r,
                        r == Errno.ENOENT ? "no program " + argv.get(0) + " on PATH" : null);
                }
                return pid.get(JAVA_INT, 0);
            } finally {
                final int destroyedActions = (int) FA_DESTROY.invokeExact(actions);
                final int destroyedAttr = (int) ATTR_DESTROY.invokeExact(attr);
                assert destroyedActions == 0 && destroyedAttr == 0;
                for (final int temporary : temporaries) {
                    PosixFiles.close(temporary);
                }
            }
        } catch (final Throwable t) {
            throw Native.rethrow(t);
        }
    }

    private static void checkZero(final String call, final int result) {
        if (result != 0) {
            throw new NativeException(call, "", result);
        }
    }
}
