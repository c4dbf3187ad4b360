package dev.ipckit.fifo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import dev.ipckit.PeerGoneException;
import dev.ipckit.posix.PosixProcess.ExitStatus;
import dev.ipckit.spi.JavaCommand;

/**
 * The FFM-native forms of FIFO and pipe ends need no {@code --add-exports}: child JVMs started with
 * {@code --enable-native-access} only (where Agrona's UnsafeBuffer fails, as the probe shows) send and receive
 * with {@code offer(MemorySegment, Duration)} and {@code poll(SegmentHandler, int, Duration)}.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class SegmentFormsWithoutAddExportsTest {
    private static final Duration DEADLINE = Duration.ofSeconds(90);
    private static final int COUNT = 5000;

    @TempDir
    Path dir;

    /**
     * @return the command that runs SegmentPeer in a JVM with this one's class path, minus Agrona's flag.
     */
    private static List<String> withoutAddExports(final String... args) {
        final List<String> command = new ArrayList<>(JavaCommand.of(SegmentPeer.class, List.of(args)));
        final int flag = command.indexOf("--add-exports");
        command.remove(flag + 1);
        command.remove(flag);
        assertTrue(command.stream().noneMatch(a -> a.contains("add-exports") || a.contains("add-opens")),
            command::toString);
        return command;
    }

    private static int exitCode(final ChildProcess child) {
        final ExitStatus status = child.waitFor(DEADLINE);
        assertNotNull(status, "the child " + child.pid() + " did not finish");
        return status.exited() ? status.exitCode() : 128 + status.signal();
    }

    @Test
    void shouldMissAgronasFlagInTheChildrenSoTheTestMeansSomething() {
        try (ChildProcess probe = ChildProcess.start(withoutAddExports("probe"))) {
            assertEquals(5, exitCode(probe),
                "Agrona's UnsafeBuffer works without --add-exports: the test proves nothing");
        }
    }

    @Test
    void shouldCarryMessagesBetweenTwoChildrenOverAFifoWithTheSegmentFormsOnly() {
        final String uri = "fifo:" + dir.resolve("segments.fifo") + "?timeout=60s";
        try (ChildProcess receiver = ChildProcess.start(withoutAddExports("recv", uri, Integer.toString(COUNT)));
             ChildProcess sender = ChildProcess.start(withoutAddExports("send", uri, Integer.toString(COUNT)))) {
            assertEquals(0, exitCode(sender), "the sender sent every message");
            assertEquals(0, exitCode(receiver), "the receiver got every message intact");
        }
    }

    @Test
    void shouldCarryMessagesBothWaysOverPipesToAChildUsingTheSegmentFormsOnly() {
        try (ChildPipe toChild = ChildPipe.toChild();
             ChildProcess receiver = ChildProcess.start(withoutAddExports("recv", "pipe:fd=3", Integer.toString(COUNT)),
                 toChild)) {
            final UnsafeBuffer message = new UnsafeBuffer(new byte[64]);
            for (long i = 0; i < COUNT; i++) {
                for (int at = 0; at < 64; at += 8) {
                    message.putLong(at, i, java.nio.ByteOrder.nativeOrder());
                }
                assertTrue(toChild.sender().offer(message, 0, 64, DEADLINE), "offer " + i);
            }
            assertEquals(0, exitCode(receiver), "the child got every message intact");
        }
        try (ChildPipe fromChild = ChildPipe.fromChild();
             ChildProcess sender = ChildProcess.start(withoutAddExports("send", "pipe:fd=3", Integer.toString(COUNT)),
                 fromChild)) {
            final long[] next = {0};
            final long deadline = System.nanoTime() + DEADLINE.toNanos();
            try {
                while (System.nanoTime() - deadline < 0) {
                    fromChild.receiver().poll((b, o, l) -> {
                        assertEquals(64, l);
                        assertEquals(next[0], b.getLong(o, java.nio.ByteOrder.nativeOrder()));
                        next[0]++;
                    }, 100, Duration.ofMillis(100));
                }
            } catch (final PeerGoneException e) {
                assertEquals(PeerGoneException.Reason.CLOSED, e.reason(), e.getMessage());
            }
            assertEquals(COUNT, next[0]);
            assertEquals(0, exitCode(sender));
        }
    }
}
