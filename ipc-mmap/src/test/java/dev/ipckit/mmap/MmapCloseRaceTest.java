package dev.ipckit.mmap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import dev.ipckit.conformance.ChildJvm;
import dev.ipckit.conformance.ClosePeer;
import dev.ipckit.conformance.Reliability;

/**
 * Closing a ring's end at awkward moments must never unmap memory a call still reads: from the receiver's own
 * handler, and from another thread while a timed poll or offer waits ({@link ClosePeer}). Run in a child JVM,
 * since the failure this guards against is a SIGSEGV that ends the JVM.
 */
@Timeout(value = 10, unit = TimeUnit.MINUTES)
class MmapCloseRaceTest {
    @TempDir
    Path dir;

    @Test
    void shouldNeverCrashWhenAnEndIsClosedFromItsHandlerOrWhileAnotherThreadWaits() {
        final String base = "mmap:" + dir.resolve("close-{n}") + "?capacity=4k&unlinkOnClose=true";
        final ChildJvm.Result result = ChildJvm.run(ClosePeer.class, List.of("30",
            Long.toString(Reliability.chaosSeed()), "small", base, base + "&producers=many", base + "&wait=futex",
            base + "&wait=sleep"), dir, Duration.ofMinutes(5));
        ChildJvm.assertNoCrashReport(dir);
        assertEquals(0, result.exitCode(), "the child said why on stderr");
        assertTrue(result.output().get(0).startsWith("close races: 30 rounds on 4 channel kinds"),
            result.output().toString());
        System.out.println("mmap " + result.output().get(0));
    }
}
