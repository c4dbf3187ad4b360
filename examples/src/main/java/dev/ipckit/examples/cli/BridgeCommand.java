package dev.ipckit.examples.cli;

import java.io.PrintStream;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

import org.agrona.DirectBuffer;

import dev.ipckit.ChannelException;
import dev.ipckit.Channels;
import dev.ipckit.MessageHandler;
import dev.ipckit.PeerGoneException;
import dev.ipckit.Receiver;
import dev.ipckit.Sender;
import dev.ipckit.examples.Running;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code ipckit bridge FROM TO}: forwards every message from one channel to another, e.g. a ring on this host to
 * {@code aeron:udp} and, on the other host, {@code aeron:udp} to a ring there.
 *
 * <p>Each message is offered to TO from inside FROM's handler, so it is consumed from FROM only once TO has taken
 * it (zero-copy from a ring). When FROM's sender closes, the bridge closes TO (which, for {@code aeron:}, waits for
 * the far receiver to take everything) and exits 0: the stream was passed on whole. When FROM's sender dies, or TO's
 * receiver goes, or TO stays full past {@code --timeout}, it says so in one sentence and exits 1. It closes both ends
 * on its way out in every case; the Channel API has no abort, so when FROM's sender died, TO's receiver sees a
 * stream that closed early, not a dead one. SIGINT and SIGTERM stop it cleanly: the message in hand is passed on,
 * both ends are closed and the total is printed.
 */
@Command(name = "bridge", mixinStandardHelpOptions = true,
    description = {"Forward every message from channel FROM to channel TO, e.g.",
        "  host A: ipckit bridge mmap:orders 'aeron:udp?endpoint=hostB:40123'",
        "  host B: ipckit bridge 'aeron:udp?endpoint=hostB:40123' mmap:orders",
        "Prints the messages forwarded each second on stderr. Exits 0 when FROM's sender closed (TO is closed",
        "after it, so the stream ends there too) or on SIGINT/SIGTERM; exits 1 with one sentence when FROM's",
        "sender dies, TO's receiver goes, or TO stays full longer than --timeout."})
final class BridgeCommand implements Callable<Integer> {
    private static final long REPORT_INTERVAL_NS = TimeUnit.SECONDS.toNanos(1);

    @Parameters(index = "0", paramLabel = "FROM", description = "the channel to receive from, e.g. mmap:orders")
    String from;

    @Parameters(index = "1", paramLabel = "TO",
        description = "the channel to send to, e.g. 'aeron:udp?endpoint=hostB:40123'")
    String to;

    @Option(names = "--timeout", paramLabel = "DURATION", defaultValue = "30s",
        description = "how long one message may wait for room in TO before the bridge gives up "
            + "(default ${DEFAULT-VALUE})")
    String timeout;

    @Option(names = "--quiet", description = "do not print the count each second")
    boolean quiet;

    private Sender sender;
    private Duration wait;
    private long forwarded;
    private PeerGoneException downstreamGone;

    @Override
    public Integer call() {
        wait = Durations.parse("--timeout", timeout);
        final PrintStream err = System.err;
        final Running running = Running.untilInterrupted();
        try (Receiver receiver = Channels.openReceiver(from); Sender opened = Channels.openSender(to)) {
            sender = opened;
            if (receiver.maxMessageLength() > sender.maxMessageLength()) {
                err.println("ipckit bridge: note: " + from + " carries messages up to " + receiver.maxMessageLength()
                    + " bytes, " + to + " only up to " + sender.maxMessageLength() + "; a longer one stops the bridge");
            }
            final MessageHandler forward = this::forward;
            long lastReport = System.nanoTime();
            long lastCount = 0;
            while (running.isRunning()) {
                try {
                    receiver.poll(forward, 256, Duration.ofMillis(100));
                } catch (final PeerGoneException e) {
                    if (downstreamGone != null) {
                        throw new PeerGoneException(downstreamGone.reason(), downstreamGone.peerPid(),
                            "the receiver of " + to + " is gone after " + forwarded + " messages were forwarded: "
                            + downstreamGone.getMessage(), downstreamGone);
                    }
                    if (e.reason().isAbnormal()) {
                        throw new PeerGoneException(e.reason(), e.peerPid(), "the sender on " + from + " left without "
                            + "closing after " + forwarded + " messages were forwarded: " + e.getMessage(), e);
                    }
                    err.println("ipckit bridge: the sender on " + from + " closed; forwarded " + forwarded
                        + " messages to " + to + ", closing it");
                    return 0;
                }
                final long now = System.nanoTime();
                if (now - lastReport >= REPORT_INTERVAL_NS) {
                    if (!quiet) {
                        err.printf("ipckit bridge: %,d msgs/s, %,d forwarded%n",
                            (forwarded - lastCount) * REPORT_INTERVAL_NS / (now - lastReport), forwarded);
                    }
                    lastReport = now;
                    lastCount = forwarded;
                }
            }
            err.println("ipckit bridge: stopped; forwarded " + forwarded + " messages from " + from + " to " + to);
            return 0;
        } finally {
            running.finished();
        }
    }

    private void forward(final DirectBuffer buffer, final int offset, final int length) {
        try {
            if (!sender.offer(buffer, offset, length) && !sender.offer(buffer, offset, length, wait)) {
                throw new ChannelException(to + " stayed full for " + timeout + " after " + forwarded
                    + " messages were forwarded; is its receiver reading? (raise --timeout to wait longer) The "
                    + "message in hand, taken from " + from + ", is lost");
            }
        } catch (final PeerGoneException e) {
            downstreamGone = e;
            throw e;
        } catch (final IllegalArgumentException e) {
            throw new ChannelException("a message of " + length + " bytes from " + from + " is longer than " + to
                + " carries (" + e.getMessage() + ") after " + forwarded + " messages were forwarded; give TO a "
                + "larger maximum", e);
        }
        forwarded++;
    }
}
