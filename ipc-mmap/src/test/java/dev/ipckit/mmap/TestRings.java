package dev.ipckit.mmap;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;

import dev.ipckit.posix.PosixProcess;

/**
 * Unique ring names for tests, and their removal.
 */
final class TestRings {
    private static final AtomicInteger NAMES = new AtomicInteger();

    private TestRings() {
    }

    /**
     * @param prefix what the test is about.
     * @return a name no other test (or test run) uses, as a bare name in /dev/shm.
     */
    static String uniqueName(final String prefix) {
        return "ipckit-test-" + prefix + "-" + PosixProcess.getpid() + "-" + NAMES.incrementAndGet();
    }

    /**
     * Removes a ring file in /dev/shm and any temporary files next to it.
     *
     * @param name a bare name from {@link #uniqueName}.
     */
    static void remove(final String name) {
        try {
            Files.deleteIfExists(Path.of(MmapOptions.DEFAULT_DIRECTORY, name));
        } catch (final IOException e) {
            throw new IllegalStateException("cannot remove test ring " + name + ": " + e.getMessage(), e);
        }
    }
}
