package dev.ipckit.aeron;

import java.nio.file.Path;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;

import org.agrona.ErrorHandler;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.IdleStrategy;

import io.aeron.driver.MediaDriver;
import io.aeron.driver.ThreadingMode;

/**
 * The configuration of the media driver an {@code aeron:udp} end embeds (the default, {@code driver=embedded}), in
 * one place, so that a comparison with plain Aeron (the bench's Ping/Pong reference) runs on the same driver.
 *
 * <ul>
 *   <li>One shared agent thread ({@link ThreadingMode#SHARED}) that backs off when idle: 100 spins, 10 yields, then
 *       parks from 1 us up to 1 ms ({@link #idleStrategy()}); the same strategy serves the ends' timed calls. On a
 *       host shared with other work a spinning driver per end would take a core each.</li>
 *   <li>Daemon threads, so a forgotten end never keeps a JVM alive.</li>
 *   <li>{@code peerTimeout=} as both the image liveness and the publication connection timeout; the conductor's
 *       timers run every 10 ms, so a closed publication's linger ends soon after the receiver's end-of-stream
 *       status message.</li>
 *   <li>The channel's term length and MTU as the driver's defaults; its directory deleted on start and on close.</li>
 * </ul>
 */
public final class EmbeddedDriver {
    /** How often the conductor runs its timers: lingering and liveness are checked this often. */
    public static final long TIMER_INTERVAL_NS = TimeUnit.MILLISECONDS.toNanos(10);

    private EmbeddedDriver() {
    }

    /**
     * @return a new instance of the idle strategy of the driver's agent and of the ends' timed calls.
     */
    public static IdleStrategy idleStrategy() {
        return new BackoffIdleStrategy(100, 10, TimeUnit.MICROSECONDS.toNanos(1), TimeUnit.MILLISECONDS.toNanos(1));
    }

    /**
     * @param directory the driver's directory (made, and removed on close).
     * @param options the channel's options: term length, MTU and peer timeout.
     * @param errors where the driver's errors go.
     * @return the driver's context, ready for {@link MediaDriver#launch(MediaDriver.Context)}.
     */
    public static MediaDriver.Context context(final Path directory, final AeronOptions options,
                                              final ErrorHandler errors) {
        final long peerTimeoutNs = options.peerTimeout().toNanos();
        return new MediaDriver.Context()
            .aeronDirectoryName(directory.toString())
            .dirDeleteOnStart(true)
            .dirDeleteOnShutdown(true)
            .warnIfDirectoryExists(false)
            .printConfigurationOnStart(false)
            .threadingMode(ThreadingMode.SHARED)
            .sharedIdleStrategy(idleStrategy())
            .sharedThreadFactory(daemon("ipckit-aeron-driver"))
            .conductorThreadFactory(daemon("ipckit-aeron-driver"))
            .senderThreadFactory(daemon("ipckit-aeron-driver"))
            .receiverThreadFactory(daemon("ipckit-aeron-driver"))
            .asyncExecutorThreadFactory(daemon("ipckit-aeron-driver-async"))
            .publicationTermBufferLength(options.termLength())
            .mtuLength(options.mtu())
            .imageLivenessTimeoutNs(peerTimeoutNs)
            .publicationConnectionTimeoutNs(peerTimeoutNs)
            .timerIntervalNs(TIMER_INTERVAL_NS)
            .errorHandler(errors);
    }

    /**
     * Removes the directories that embedded drivers of this user left behind in {@code /dev/shm} when their process
     * was killed (the pid in a directory's name is no longer alive). Each new embedded driver does this as it
     * starts; a program or test that kills processes can call it to leave nothing behind.
     *
     * @throws dev.ipckit.ChannelException when such a directory cannot be removed.
     */
    public static void removeAbandonedDirectories() {
        AeronSession.removeAbandonedDirectories("(no channel: removing abandoned directories)");
    }

    /**
     * @param name the threads' name.
     * @return a factory of daemon threads of that name.
     */
    static ThreadFactory daemon(final String name) {
        return runnable -> {
            final Thread thread = new Thread(runnable, name);
            thread.setDaemon(true);
            return thread;
        };
    }
}
