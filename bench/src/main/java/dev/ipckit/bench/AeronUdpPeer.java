package dev.ipckit.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

import org.agrona.concurrent.IdleStrategy;

import io.aeron.Aeron;
import io.aeron.ExclusivePublication;
import io.aeron.Publication;
import io.aeron.Subscription;
import io.aeron.driver.MediaDriver;
import io.aeron.logbuffer.FragmentHandler;

import dev.ipckit.ChannelUri;
import dev.ipckit.aeron.AeronOptions;
import dev.ipckit.aeron.EmbeddedDriver;

/**
 * The echo (Pong) process of the {@code aeron/udp-ref} row: Aeron's own UDP path, with no ipckit between, on the very
 * driver configuration and Aeron channels an {@code aeron:udp} end uses ({@link EmbeddedDriver}, {@link AeronOptions}),
 * and the same idle strategy as an ipckit end's timed poll. It subscribes to the request URI's endpoint, publishes
 * every fragment back on the reply URI's, and exits 0 on a one-byte stop message.
 *
 * <pre>
 * AeronUdpPeer REQUEST_URI REPLY_URI PARENT_PID
 * </pre>
 */
public final class AeronUdpPeer {
    /** A message of this length ends the echo process. */
    static final int STOP_LENGTH = 1;
    private static final int LIVENESS_MASK = (1 << 14) - 1;

    private AeronUdpPeer() {
    }

    /**
     * @param args REQUEST_URI REPLY_URI PARENT_PID, both URIs {@code aeron:udp?endpoint=...}.
     * @throws Exception when the driver's directory cannot be made.
     */
    public static void main(final String[] args) throws Exception {
        if (args.length != 3) {
            System.err.println("usage: AeronUdpPeer REQUEST_URI REPLY_URI PARENT_PID");
            System.exit(2);
        }
        final AeronOptions request = AeronOptions.parse(ChannelUri.parse(args[0]));
        final AeronOptions reply = AeronOptions.parse(ChannelUri.parse(args[1]));
        final long parent = Long.parseLong(args[2]);
        final Path directory = Files.createTempDirectory(Path.of("/dev/shm"), "ipckit-bench-aeron-udp-peer-",
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        int status = 0;
        try (MediaDriver driver = MediaDriver.launch(EmbeddedDriver.context(directory.resolve("driver"), request,
                 Throwable::printStackTrace));
             Aeron aeron = Aeron.connect(new Aeron.Context().aeronDirectoryName(driver.aeronDirectoryName()));
             Subscription pings = aeron.addSubscription(request.subscriptionChannel(), request.stream());
             ExclusivePublication pongs = aeron.addExclusivePublication(reply.publicationChannel(), reply.stream())) {
            final boolean[] stop = {false};
            final FragmentHandler echo = (buffer, offset, length, header) -> {
                if (length == STOP_LENGTH) {
                    stop[0] = true;
                    return;
                }
                long result;
                while ((result = pongs.offer(buffer, offset, length)) < 0) {
                    if (result == Publication.CLOSED || result == Publication.MAX_POSITION_EXCEEDED
                        || result == Publication.NOT_CONNECTED) {
                        throw new IllegalStateException("the pong publication failed: "
                            + Publication.errorString(result));
                    }
                    Thread.onSpinWait();
                }
            };
            final IdleStrategy idle = EmbeddedDriver.idleStrategy();
            long idlePolls = 0;
            while (!stop[0]) {
                final int work = pings.poll(echo, 1);
                idle.idle(work);
                if (work == 0 && (++idlePolls & LIVENESS_MASK) == 0
                    && !ProcessHandle.of(parent).map(ProcessHandle::isAlive).orElse(false)) {
                    throw new IllegalStateException("the measuring process " + parent + " has gone");
                }
            }
        } catch (final RuntimeException e) {
            System.err.println("aeron/udp-ref echo: " + e.getMessage());
            status = 1;
        } finally {
            EchoSession.deleteTree(directory);
        }
        System.exit(status);
    }
}
