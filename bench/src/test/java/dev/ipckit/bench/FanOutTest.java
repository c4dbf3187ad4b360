package dev.ipckit.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import org.HdrHistogram.Histogram;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The one-to-many rows' harness with real subscriber JVMs: every subscriber takes every message in order, the
 * designated one echoes, a segment counts what the subscribers received, and closing reaps every subscriber and
 * removes every file.
 */
class FanOutTest {
    private static final Progress QUIET = new Progress(null);
    private static final StreamSettings TINY = new StreamSettings(Duration.ofMillis(200), Duration.ofMillis(10),
        Duration.ofMillis(200), 3, List.of(32));

    @ParameterizedTest
    @CsvSource({"mmap, wait=backoff&subscribers=1", "mmap, wait=backoff&subscribers=3", "agrona, subscribers=3",
        "aeron, subscribers=3"})
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void shouldDeliverEveryMessageToEverySubscriberInOrderAndCleanUp(final String family, final String options)
        throws Exception {
        final int messages = 10_000; // 10,000 records of 40 bytes: less than the 1 MiB ring, so Agrona laps nobody
        final UnsafeBuffer message = new UnsafeBuffer(ByteBuffer.allocateDirect(32));
        final FanSession session = FanSession.open(family + "/test", family, options, false, StreamSettings.CAPACITY,
            QUIET);
        final int subscribers = session.subscribers();
        try (session) {
            for (long i = 0; i < messages; i++) {
                message.putLong(0, i);
                assertTrue(session.publisher().offer(message, 32, Duration.ofSeconds(10)), "message " + i);
            }
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (session.control().received() < (long) messages * subscribers && System.nanoTime() < deadline) {
                session.checkAlive();
                LockSupport.parkNanos(1_000_000);
            }
            assertEquals((long) messages * subscribers, session.control().received(),
                "each of the " + subscribers + " subscribers took every message once (a gap or repeat ends it)");
            assertEquals(0, session.control().lost());
        }
        assertEquals(List.of(), TestRuns.liveChildren(), "every subscriber is reaped");
        assertEquals(List.of(), TestRuns.shmLeftovers(), "every ring, file and Aeron directory is removed");
        for (final String ending : session.ending().split("; ")) {
            assertTrue(ending.matches("subscriber \\d \\(process \\d+\\) exited with status 0"), session.ending());
        }
    }

    @ParameterizedTest
    @CsvSource({"mmap, wait=backoff&subscribers=1", "mmap, wait=backoff&subscribers=2", "agrona, subscribers=2",
        "aeron, subscribers=2"})
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void shouldTimeRoundTripsThroughTheDesignatedSubscriberSegmentBySegment(final String family,
                                                                             final String options) throws Exception {
        final Row row = new Row(family + "/test", family.equals("mmap") ? RowKind.IPCKIT : RowKind.PEER,
            "c/shm-spin", List.of(), options, "test");
        try (Contender contender = FanPingPong.open(row, TestRuns.tiny(400), QUIET)) {
            contender.warmUp(QUIET);
            for (int segment = 0; segment < 2; segment++) {
                final Histogram histogram = contender.segment(QUIET);
                assertEquals(200, histogram.getTotalCount(), "segment " + segment + " ends by its count");
                assertTrue(histogram.getValueAtPercentile(50) > 0);
            }
        }
        assertEquals(List.of(), TestRuns.liveChildren());
        assertEquals(List.of(), TestRuns.shmLeftovers());
    }

    @ParameterizedTest
    @CsvSource({"mmap, wait=backoff&subscribers=1", "mmap, wait=backoff&subscribers=2", "agrona, subscribers=2",
        "aeron, subscribers=2"})
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void shouldCountWhatTheSubscribersReceivedInASegment(final String family, final String options)
        throws Exception {
        final StreamRow row = new StreamRow(family + "/test", family.equals("mmap") ? RowKind.IPCKIT : RowKind.PEER,
            "c/shm-spin", options, "test");
        try (StreamContender contender = FanStream.open(row, TINY, QUIET)) {
            contender.warmUp(32);
            int counted = 0;
            for (int segment = 0; segment < 3; segment++) {
                final Rate rate = contender.segment(32);
                counted += rate.messages() > 0 ? 1 : 0;
                assertEquals(rate.messages() * 32, rate.bytes());
                assertTrue(rate.nanos() >= TINY.fanOut().segment().toNanos(), "it counted for the segment: " + rate);
            }
            // as in StreamBenchTest: a segment in which the subscribers got no core has no figure; the others count
            assertTrue(counted >= 1, "no segment counted a message");
            final IllegalStateException other = assertThrows(IllegalStateException.class,
                () -> contender.segment(4096));
            assertTrue(other.getMessage().contains("sends 32-byte messages only, not 4096"), other.getMessage());
        }
        assertEquals(List.of(), TestRuns.liveChildren());
        assertEquals(List.of(), TestRuns.shmLeftovers());
    }

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void shouldSayWhichSubscriberDiedAndHow() throws Exception {
        final FanSession session = FanSession.open("agrona/test", "agrona", "subscribers=2", true,
            FanSession.ROUND_TRIP_CAPACITY, QUIET);
        try (session) {
            final ProcessHandle victim = ProcessHandle.current().children().findFirst().orElseThrow();
            victim.destroyForcibly();
            assertTrue(victim.onExit().get(30, TimeUnit.SECONDS) != null);
            final IllegalStateException e = assertThrows(IllegalStateException.class, session::checkAlive);
            assertTrue(e.getMessage().matches("agrona/test: subscriber \\d ended"), e.getMessage());
            assertTrue(session.ending().matches("subscriber \\d \\(process " + victim.pid() + "\\) exited with status "
                + "137"), session.ending());
        }
        assertEquals(List.of(), TestRuns.liveChildren());
        assertEquals(List.of(), TestRuns.shmLeftovers());
    }

    @Test
    void shouldReadTheSubscriberCountFromTheRowsOptions() {
        assertEquals(4, Row.named("mmap/1to4").subscribers());
        assertEquals(2, Row.named("aeron/ipc-2sub").subscribers());
        assertEquals(0, Row.named("mmap/spin").subscribers());
        assertEquals(List.of("c/shm-spin", "aeron/ipc-2sub", "agrona/broadcast-2"), Row.named("mmap/1to2")
            .references());
        assertTrue(Row.named("mmap/1to2").options().contains("wait=backoff"),
            "two cores cannot hold a sender and two spinning subscribers");
        assertTrue(StreamRow.named("agrona/broadcast-4").runsAt(32));
        assertFalse(StreamRow.named("agrona/broadcast-4").runsAt(4096));
        assertTrue(StreamRow.named("mmap/spin").runsAt(4096));
        assertEquals(List.of("c/shm-spin", "aeron/ipc-4sub", "agrona/broadcast-4"),
            StreamRow.named("mmap/1to4").references());
    }
}
