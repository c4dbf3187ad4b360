package dev.ipckit.fifo;

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
 * Closing a FIFO's end at awkward moments must never free the receive buffer a handler's poll still reads, nor
 * close a descriptor that another thread waits on (whose number a new open could then reuse): from the
 * receiver's own handler, and from another thread while a timed poll or offer, or a large frame, waits
 * ({@link ClosePeer}, in a child JVM).
 */
@Timeout(value = 10, unit = TimeUnit.MINUTES)
class FifoCloseRaceTest {
    @TempDir
    Path dir;

    @Test
    void shouldNeverUseAFreedBufferOrAClosedDescriptorWhenAnEndIsClosedWhileInUse() {
        final String base = "fifo:" + dir.resolve("close-{n}.fifo") + "?nonblock=true&maxMessage=256k";
        final ChildJvm.Result result = ChildJvm.run(ClosePeer.class, List.of("30",
            Long.toString(Reliability.chaosSeed()), "large", base, base + "&wait=spin"), dir, Duration.ofMinutes(5));
        ChildJvm.assertNoCrashReport(dir);
        assertEquals(0, result.exitCode(), "the child said why on stderr");
        assertTrue(result.output().get(0).startsWith("close races: 30 rounds on 2 channel kinds"),
            result.output().toString());
        System.out.println("fifo " + result.output().get(0));
    }
}
