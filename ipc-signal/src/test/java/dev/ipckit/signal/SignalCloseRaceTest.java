package dev.ipckit.signal;

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
 * Closing a {@code wait=signal} ring's end while its receiver sleeps in sigtimedwait, from another thread, or
 * from the receiver's own handler ({@link ClosePeer}, in a child JVM): no crash, and the sleeper ends its wait.
 */
@Timeout(value = 10, unit = TimeUnit.MINUTES)
class SignalCloseRaceTest {
    @TempDir
    Path dir;

    @Test
    void shouldNeverCrashWhenASleepingSignalReceiverIsClosed() {
        final String base = "mmap:" + dir.resolve("close-{n}") + "?capacity=4k&unlinkOnClose=true&wait=signal";
        final ChildJvm.Result result = ChildJvm.run(ClosePeer.class, List.of("30",
            Long.toString(Reliability.chaosSeed()), "small", base, base + "&producers=many"), dir,
            Duration.ofMinutes(5));
        ChildJvm.assertNoCrashReport(dir);
        assertEquals(0, result.exitCode(), "the child said why on stderr");
        assertTrue(result.output().get(0).startsWith("close races: 30 rounds on 2 channel kinds"),
            result.output().toString());
        System.out.println("signal " + result.output().get(0));
    }
}
