package dev.ipckit.examples.cli;

import java.io.PrintStream;
import java.util.List;
import java.util.concurrent.Callable;

import dev.ipckit.ChannelUri;
import dev.ipckit.aeron.AeronInspector;
import dev.ipckit.mmap.RingFileInspector;
import dev.ipckit.posix.FileStat;
import dev.ipckit.posix.NativeException;
import dev.ipckit.posix.PosixFiles;
import dev.ipckit.posix.PosixPipes;
import dev.ipckit.posix.PosixSignals;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/**
 * {@code ipckit stat URI}: what a channel looks like from outside, without taking a role in it.
 */
@Command(name = "stat", mixinStandardHelpOptions = true,
    description = {"Show a channel without taking a role in it.",
        "mmap: capacity, max message, producers, wait mode and signal, receiver and sender pids (alive or dead),",
        "      positions, backlog and counters (read from the ring file's header); with subscribers=N each",
        "      subscriber: slot, pid, alive, policy, position, lag, laps and bytes dropped.",
        "fifo: the pipe buffer size and the bytes queued (opens the FIFO for reading for a moment).",
        "aeron: each media driver of this user's ends (or the external one) with its pid, and its counters for the",
        "      endpoint and stream: publisher, sender and receiver positions and limits, subscriber positions."})
final class StatCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "URI", description = "mmap:NAME, fifo:PATH or aeron:udp?endpoint=HOST:PORT")
    String uri;

    @Override
    public Integer call() {
        final ChannelUri parsed = ChannelUri.parse(uri);
        final PrintStream out = System.out;
        switch (parsed.scheme()) {
            case "mmap" -> {
                try (RingFileInspector inspector = RingFileInspector.open(parsed.path())) {
                    print(out, inspector.stat());
                }
            }
            case "fifo" -> fifo(out, parsed.path());
            case "aeron" -> aeron(out, uri);
            default -> throw new IllegalArgumentException("stat reads mmap:, fifo: and aeron: channels, not "
                + parsed.scheme() + ":");
        }
        return 0;
    }

    private static void print(final PrintStream out, final RingFileInspector.Stat stat) {
        out.printf("ring        %s (layout %d, session %d, created by pid %d)%n", stat.path(), stat.layoutVersion(),
            stat.session(), stat.creatorPid());
        out.printf("capacity    %,d bytes, max message %,d bytes, producers=%s, format=%s%n", stat.capacity(),
            stat.maxMessageLength(), stat.manyProducers() ? "many" : "one", stat.format());
        final RingFileInspector.ReceiverInfo receiver = stat.receiver();
        out.printf("wait        %s%s%s%n", stat.waitMode(),
            receiver.wakeToken() > 0 && stat.waitMode().equals("signal") ? ", signal " + PosixSignals.name(receiver.wakeToken()) : "",
            stat.receiverWaiting() ? " (receiver asleep now)" : "");
        out.printf("receiver    %s%n", receiver.pid() == 0 ? "none yet"
            : "pid " + receiver.pid() + " " + (receiver.alive() ? "alive" : "dead or closed (" + receiver.state() + ")"));
        if (stat.senders().isEmpty()) {
            out.println("senders     none yet");
        }
        for (final RingFileInspector.SenderInfo sender : stat.senders()) {
            out.printf("sender      slot %d pid %d %s, %,d messages, %,d bytes, full %,d times, %,d wake-ups sent%n",
                sender.slot(), sender.pid(), sender.alive() ? "alive" : sender.pid() == 0 ? "closed" : "dead",
                sender.messages(), sender.bytes(), sender.timesFull(), sender.wakeupsSent());
        }
        if (stat.subscriberSlots() > 1) {
            out.printf("subscribers %d slots, %d taken%n", stat.subscriberSlots(), stat.subscribers().stream()
                .filter(RingFileInspector.SubscriberInfo::alive).count());
            for (final RingFileInspector.SubscriberInfo s : stat.subscribers()) {
                out.printf("subscriber  slot %d pid %d %s, slow=%s, position %,d, lag %,d bytes, %,d received, "
                        + "%,d laps, %,d bytes dropped%s%n", s.slot(), s.pid(), s.alive() ? "alive" : "dead",
                    s.policy(), s.position(), s.lag(), s.messages(), s.laps(), s.droppedBytes(),
                    s.waiting() ? " (asleep now)" : "");
            }
        } else {
            out.printf("positions   head %,d, tail %,d, backlog %,d bytes%n", stat.headPosition(), stat.tailPosition(),
                stat.backlogBytes());
        }
        out.printf("counters    %,d sent, %,d received, %,d bytes, full %,d times, %,d wake-ups sent, receiver slept %,d times%n",
            stat.messagesSent(), stat.messagesReceived(), stat.bytesSent(), stat.timesFull(), stat.wakeupsSent(),
            stat.receiverSleeps());
        out.printf("state       %s%n", stat.abandoned() ? "abandoned: no end holds it (ipckit gc removes it)" : "in use");
    }

    private static void aeron(final PrintStream out, final String uri) {
        final List<AeronInspector.Driver> drivers = AeronInspector.inspect(uri);
        boolean any = false;
        for (final AeronInspector.Driver driver : drivers) {
            if (driver.counters().isEmpty()) {
                continue;
            }
            any = true;
            out.printf("driver      %s (%s, pid %d %s)%n", driver.directory(),
                driver.embedded() ? "embedded" : "external", driver.pid(), driver.alive() ? "alive" : "dead");
            for (final AeronInspector.Counter counter : driver.counters()) {
                out.printf("  %,20d  %s%n", counter.value(), counter.label());
            }
        }
        if (!any) {
            out.println("no media driver of this user (of " + drivers.size() + " found) has a publication or "
                + "subscription on " + uri);
        }
    }

    private static void fifo(final PrintStream out, final String path) {
        final FileStat stat = PosixFiles.lstat(path);
        if (!stat.isFifo()) {
            throw new IllegalArgumentException(path + " is " + stat.typeName() + ", not a FIFO");
        }
        final int flags = PosixFiles.O_RDONLY | PosixFiles.O_NONBLOCK | PosixFiles.O_NOFOLLOW | PosixFiles.O_CLOEXEC;
        final int fd = PosixFiles.tryOpen(path, flags, 0);
        if (fd < 0) {
            throw new NativeException("open", NativeException.quote(path) + ", " + PosixFiles.openFlags(flags), -fd);
        }
        try {
            out.printf("fifo        %s (mode 0%o, owner uid %d)%n", path, stat.permissions(), stat.uid());
            out.printf("pipe buffer %,d bytes, %,d bytes queued%n", PosixPipes.pipeSize(fd), PosixPipes.bytesQueued(fd));
        } finally {
            PosixFiles.close(fd);
        }
    }
}
